import type { ClientFactory } from './client.js';

/** Loaded lazily so the page renders even where the SDK fails to load (the error is shown). */
export async function loadClientFactory(): Promise<ClientFactory> {
  const m = await import('./relay-client.js');
  return m.relayClientFactory;
}

/** Whether this browser profile holds a signed-in account (without loading the SDK). */
export function hasSavedAccount(): boolean {
  return localStorage.getItem('kith-demo/account') !== null;
}
