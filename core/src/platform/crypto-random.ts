import type { Random } from '../ports/random.js';

/** Web Crypto refuses more than 65,536 bytes per `getRandomValues` call. */
export const MAX_RANDOM_CHUNK = 65_536;

/**
 * The production Random: the platform CSPRNG (`globalThis.crypto.getRandomValues`, in browsers
 * and Node ≥ 19), filled in chunks of at most 65,536 bytes. Fast enough for nonces (unlike
 * libsodium's `randombytes_buf`) and suitable for key material.
 */
export function createCryptoRandom(): Random {
  const crypto = (globalThis as { crypto?: Crypto }).crypto;
  if (crypto === undefined || typeof crypto.getRandomValues !== 'function') {
    throw new Error('createCryptoRandom: this platform has no globalThis.crypto.getRandomValues');
  }
  return {
    bytes(n: number): Uint8Array {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`Random.bytes: n must be a non-negative integer, got ${n}`);
      const out = new Uint8Array(n);
      for (let offset = 0; offset < n; offset += MAX_RANDOM_CHUNK) {
        crypto.getRandomValues(out.subarray(offset, Math.min(offset + MAX_RANDOM_CHUNK, n)));
      }
      return out;
    },
  };
}
