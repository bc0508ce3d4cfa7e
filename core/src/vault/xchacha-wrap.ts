import { fail, ok, type Result } from '../errors.js';
import { AEAD_NONCE_BYTES, type CryptoPort } from '../ports/crypto.js';
import { VAULT_FORMAT_XCHACHA } from '../ports/vault.js';
import { frameWrapped, splitWrapped, vaultAad } from './vault-format.js';

/** Wraps under a 32-byte key in memory with XChaCha20-Poly1305 (format 0x02, LOC-1). Synchronous. */
export function wrapXChaCha(crypto: CryptoPort, key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = crypto.randomBytes(AEAD_NONCE_BYTES);
  return frameWrapped(VAULT_FORMAT_XCHACHA, nonce, crypto.aeadEncrypt(plaintext, vaultAad(VAULT_FORMAT_XCHACHA, aad), nonce, key));
}

export function unwrapXChaCha(crypto: CryptoPort, key: Uint8Array, wrapped: Uint8Array, aad: Uint8Array): Result<Uint8Array> {
  const parts = splitWrapped(wrapped, VAULT_FORMAT_XCHACHA, AEAD_NONCE_BYTES);
  if (!parts.ok) return parts;
  const plain = crypto.aeadDecrypt(parts.value.sealed, vaultAad(VAULT_FORMAT_XCHACHA, aad), parts.value.nonce, key);
  return plain === null ? fail('decrypt_failed', 'wrapped value does not open (wrong key, aad or tampered)') : ok(plain);
}
