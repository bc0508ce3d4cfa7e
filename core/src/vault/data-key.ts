import { KithError, type Result } from '../errors.js';
import { AEAD_KEY_BYTES, type CryptoPort } from '../ports/crypto.js';
import type { Storage } from '../ports/storage.js';
import type { SecretVault } from '../ports/vault.js';
import { utf8 } from '../crypto/secret-key.js';
import { unwrapXChaCha, wrapXChaCha } from './xchacha-wrap.js';

/**
 * A synchronous sealer for many small secrets (ADR 0012 § Data key): a random 32-byte key stored
 * under `metaKey` wrapped by the vault, unwrapped once when opened. Code that builds storage
 * writes synchronously (the sync KeyStore) seals with it; a database dump holds only the wrapped
 * data key and XChaCha20-Poly1305 ciphertext (format 0x02, LOC-2).
 */
export interface DataKey {
  seal(plaintext: Uint8Array, aad: string): Uint8Array;
  open(sealed: Uint8Array, aad: string): Result<Uint8Array>;
}

const aadOf = (metaKey: string): Uint8Array => utf8(`kith/v1/local/${metaKey}`);

/**
 * Opens (or creates and commits) the data key at `metaKey`. Rejects with `decrypt_failed` when a
 * stored data key does not unwrap (this device's vault key is gone or the value was altered):
 * nothing it sealed is readable, the device must be restored (log in again).
 * The created key is read back after its commit, so two first opens that race mostly converge;
 * keep one sync client per storage (the storage port has no compare-and-set).
 */
export async function openDataKey(crypto: CryptoPort, storage: Storage, vault: SecretVault, metaKey: string): Promise<DataKey> {
  let stored = await storage.getMeta(metaKey);
  if (stored === undefined) {
    const created = await vault.wrap(crypto.randomBytes(AEAD_KEY_BYTES), aadOf(metaKey));
    await storage.commit([{ type: 'putMeta', key: metaKey, value: created }]);
    // Read back: if another opener (a second tab) committed after us, both use its key.
    stored = await storage.getMeta(metaKey);
  }
  const opened = stored instanceof Uint8Array ? await vault.unwrap(stored, aadOf(metaKey)) : undefined;
  if (opened === undefined || !opened.ok || opened.value.length !== AEAD_KEY_BYTES) {
    throw new KithError('decrypt_failed', `the local data key ${metaKey} does not unwrap with this device's vault (${vault.name})`, opened?.ok === false ? { cause: opened.error } : undefined);
  }
  const key = opened.value;
  return {
    seal: (plaintext, aad) => wrapXChaCha(crypto, key, plaintext, utf8(aad)),
    open: (sealed, aad) => unwrapXChaCha(crypto, key, sealed, utf8(aad)),
  };
}
