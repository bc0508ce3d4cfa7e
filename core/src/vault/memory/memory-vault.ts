import { AEAD_KEY_BYTES, type CryptoPort } from '../../ports/crypto.js';
import type { SecretVault } from '../../ports/vault.js';
import { unwrapXChaCha, wrapXChaCha } from '../xchacha-wrap.js';

/**
 * An in-memory vault for tests and demos: XChaCha20-Poly1305 through the crypto port under a
 * key held in this object. Pass the same `key` to reopen what an earlier instance wrapped (a
 * restarted test peer); without one the key is random and gone with the process.
 */
export function createMemoryVault(crypto: CryptoPort, key?: Uint8Array): SecretVault {
  if (key !== undefined && key.length !== AEAD_KEY_BYTES) throw new Error(`memory vault key must be ${AEAD_KEY_BYTES} bytes`);
  const k = key === undefined ? crypto.randomBytes(AEAD_KEY_BYTES) : key.slice();
  return {
    name: 'memory',
    wrap: (plaintext, aad) => Promise.resolve(wrapXChaCha(crypto, k, plaintext, aad)),
    unwrap: (wrapped, aad) => Promise.resolve(unwrapXChaCha(crypto, k, wrapped, aad)),
  };
}
