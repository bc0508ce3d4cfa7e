declare const __KITH_RELAY_URL__: string;

/** The relay this demo talks to: `?relay=` in the page URL, else KITH_RELAY_URL at build time. */
export function relayUrl(): string {
  const fromQuery = new URLSearchParams(location.search).get('relay');
  return fromQuery ?? __KITH_RELAY_URL__;
}
