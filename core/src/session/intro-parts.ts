/**
 * What one intro may carry so its receiver reads all of it (openIntro keeps the first 256 grants
 * and 64 key envelopes of an intro; an envelope is at most 1 MiB, and base64 in JSON inflates by
 * 4/3): beyond these, a user's pending grants and keys go in further intros.
 */
export const INTRO_MAX_GRANTS = 200;
export const INTRO_MAX_KEY_ENVELOPES = 48;
export const INTRO_MAX_KEY_BYTES = 512 * 1024;

/** Splits pending grants and key envelopes into intros within the limits above, in order. */
export function introParts<G, K extends Uint8Array>(
  grants: ReadonlyArray<readonly [string, G]>,
  keys: ReadonlyArray<readonly [string, K]>,
): Array<{ grants: Array<readonly [string, G]>; keys: Array<readonly [string, K]> }> {
  const parts: Array<{ grants: Array<readonly [string, G]>; keys: Array<readonly [string, K]>; bytes: number }> = [];
  const fresh = () => {
    const part = { grants: [] as Array<readonly [string, G]>, keys: [] as Array<readonly [string, K]>, bytes: 0 };
    parts.push(part);
    return part;
  };
  let part = fresh();
  for (const g of grants) {
    if (part.grants.length >= INTRO_MAX_GRANTS) part = fresh();
    part.grants.push(g);
  }
  for (const k of keys) {
    if (part.keys.length >= INTRO_MAX_KEY_ENVELOPES || (part.keys.length > 0 && part.bytes + k[1].length > INTRO_MAX_KEY_BYTES)) part = fresh();
    part.keys.push(k);
    part.bytes += k[1].length;
  }
  return parts.filter((p) => p.grants.length > 0 || p.keys.length > 0).map(({ grants: g, keys: k }) => ({ grants: g, keys: k }));
}
