import sodium from 'libsodium-wrappers';
import type sumoModule from 'libsodium-wrappers-sumo';
import type { CryptoPort, KeyPair } from '../../ports/crypto.js';

type Sumo = typeof sumoModule;

/**
 * The crypto port on libsodium-wrappers (wasm). Argon2id lives only in the sumo build, which is
 * about twice the size: it is loaded on the first `argon2id` call, not at startup.
 * Random bytes come from Web Crypto (`crypto.getRandomValues`), which is ~40× faster than
 * `randombytes_buf` through the wasm boundary (docs NOTES).
 */
export async function createSodiumCrypto(): Promise<CryptoPort> {
  await sodium.ready;
  let sumo: Promise<Sumo> | null = null;
  const loadSumo = (): Promise<Sumo> => {
    sumo ??= import('libsodium-wrappers-sumo').then(async (m) => {
      await m.default.ready;
      return m.default;
    });
    return sumo;
  };
  const pair = (k: { publicKey: Uint8Array; privateKey: Uint8Array }): KeyPair => ({
    publicKey: k.publicKey,
    secretKey: k.privateKey,
  });
  const randomBytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
    return out;
  };
  return {
    name: 'libsodium',
    signKeyPair: (seed) => pair(sodium.crypto_sign_seed_keypair(seed ?? randomBytes(32))),
    sign: (message, secretKey) => sodium.crypto_sign_detached(message, secretKey),
    verify(signature, message, publicKey) {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      try {
        return sodium.crypto_sign_verify_detached(signature, message, publicKey);
      } catch {
        return false;
      }
    },
    boxKeyPair: (seed) => pair(sodium.crypto_box_seed_keypair(seed ?? randomBytes(32))),
    sealBox: (message, recipientPublicKey) => sodium.crypto_box_seal(message, recipientPublicKey),
    openSealedBox(sealed, publicKey, secretKey) {
      if (sealed.length < 48 || publicKey.length !== 32 || secretKey.length !== 32) return null;
      try {
        return sodium.crypto_box_seal_open(sealed, publicKey, secretKey);
      } catch {
        return null;
      }
    },
    aeadEncrypt: (plaintext, ad, nonce, key) =>
      sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key),
    aeadDecrypt(ciphertext, ad, nonce, key) {
      if (ciphertext.length < 16 || nonce.length !== 24 || key.length !== 32) return null;
      try {
        return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key);
      } catch {
        return null;
      }
    },
    hash: (data, length = 32, key) => sodium.crypto_generichash(length, data, key ?? null),
    async argon2id(password, salt, opsLimit, memLimitBytes, length) {
      const s = await loadSumo();
      return s.crypto_pwhash(length, password, salt, opsLimit, memLimitBytes, s.crypto_pwhash_ALG_ARGON2ID13);
    },
    randomBytes,
  };
}
