import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/**
 * Lowercase hex: the one hex codec of the workspace (keys, hashes and nonces in JSON, storage
 * keys, ids derived from hashes). Encoding is `@noble/hashes`' `bytesToHex`; decoding accepts
 * only the canonical lowercase form, optionally of an exact byte length, so untrusted or stored
 * text either decodes to the bytes it was made from or is refused (`undefined`, never a throw).
 */
export const encodeHex: (bytes: Uint8Array) => string = bytesToHex;

const LOWER_HEX_RE = /^(?:[0-9a-f]{2})*$/;

/** The bytes of a lowercase hex text (of exactly `byteLength` bytes when given), or undefined. */
export function decodeHex(text: unknown, byteLength?: number): Uint8Array | undefined {
  if (typeof text !== 'string' || (byteLength !== undefined && text.length !== byteLength * 2)) return undefined;
  if (!LOWER_HEX_RE.test(text)) return undefined;
  return hexToBytes(text);
}
