import { fail, ok } from '../../errors.js';
import { VAULT_FORMAT_AES_GCM, type SecretVault } from '../../ports/vault.js';
import { frameWrapped, splitWrapped, vaultAad } from '../vault-format.js';
import type { VaultKeyStore } from './vault-key-store.js';

export interface WebCryptoVaultOptions {
  /** Where the CryptoKey lives: `createIndexedDbKeyStore` in apps, `createMemoryVaultKeyStore` in tests. */
  readonly keyStore: VaultKeyStore;
  /** Defaults to `globalThis.crypto.subtle` (browsers, Node 20). */
  readonly subtle?: SubtleCrypto;
}

const IV_BYTES = 12;
/** A copy backed by a plain ArrayBuffer (what WebCrypto's BufferSource type asks for). */
const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);
const ALGORITHM = { name: 'AES-GCM', length: 256 } as const;

/**
 * A vault whose key is a non-extractable AES-256-GCM CryptoKey, generated once and kept in the
 * key store (ADR 0012). JavaScript never sees its bytes: `exportKey` refuses, and a dump of the
 * databases holds only the opaque key object and ciphertext. IVs are 12 random bytes; at the
 * number of secrets one device wraps (thousands) the random-IV collision bound is irrelevant.
 */
export async function createWebCryptoVault(options: WebCryptoVaultOptions): Promise<SecretVault> {
  const subtle = options.subtle ?? globalThis.crypto.subtle;
  const candidate = await subtle.generateKey(ALGORITHM, false, ['encrypt', 'decrypt']);
  const key = await options.keyStore.getOrPut(candidate);
  return {
    name: 'webcrypto',
    async wrap(plaintext, aad) {
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: own(vaultAad(VAULT_FORMAT_AES_GCM, aad)) }, key, own(plaintext));
      return frameWrapped(VAULT_FORMAT_AES_GCM, iv, new Uint8Array(sealed));
    },
    async unwrap(wrapped, aad) {
      const parts = splitWrapped(wrapped, VAULT_FORMAT_AES_GCM, IV_BYTES);
      if (!parts.ok) return parts;
      try {
        const plain = await subtle.decrypt({ name: 'AES-GCM', iv: own(parts.value.nonce), additionalData: own(vaultAad(VAULT_FORMAT_AES_GCM, aad)) }, key, own(parts.value.sealed));
        return ok(new Uint8Array(plain));
      } catch (e) {
        return fail('decrypt_failed', 'wrapped value does not open under this vault (wrong key, aad or tampered)', e);
      }
    },
  };
}
