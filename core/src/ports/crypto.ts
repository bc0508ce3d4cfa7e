/**
 * Cryptographic primitives. Everything in crypto/ (envelopes, key epochs, backup, identities)
 * is written against this port; `crypto/sodium` implements it with libsodium. Implementations
 * run `runCryptoConformance` from the testing entry point (known-answer tests included).
 *
 * Contract:
 * - Byte arrays are never retained or mutated; results are fresh arrays.
 * - `sign`/`verify`: Ed25519 (RFC 8032), 32-byte public keys, 64-byte secret keys (seed ‖ public),
 *   64-byte detached signatures. `verify` returns false — never throws — for any malformed input.
 * - `boxKeyPair`/`sealBox`/`openSealedBox`: X25519 sealed boxes (`crypto_box_seal`): anonymous
 *   sender, 48 bytes of overhead; `openSealedBox` returns null on any failure.
 * - `aeadEncrypt`/`aeadDecrypt`: XChaCha20-Poly1305-IETF, 32-byte key, 24-byte nonce, 16-byte tag;
 *   the nonce is the caller's (take it from `randomBytes`); `aeadDecrypt` returns null on failure.
 * - `hash`: BLAKE2b with output length 16..64 bytes, optionally keyed (key 16..64 bytes).
 * - `argon2id`: Argon2id v1.3 with a 16-byte salt; `opsLimit` ≥ 1, `memLimitBytes` ≥ 8 KiB.
 *   Asynchronous because implementations may load a larger module or run it off-thread.
 * - `randomBytes`: a CSPRNG (never a seeded PRNG outside tests).
 * - `keyPairFromSeed` variants are deterministic (tests, known answers, backups).
 */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface CryptoPort {
  readonly name: string;
  /** Ed25519 key pair; from a 32-byte seed when given. */
  signKeyPair(seed?: Uint8Array): KeyPair;
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** X25519 key pair; from a 32-byte seed when given. */
  boxKeyPair(seed?: Uint8Array): KeyPair;
  sealBox(message: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array;
  openSealedBox(sealed: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null;
  aeadEncrypt(plaintext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  aeadDecrypt(ciphertext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null;
  hash(data: Uint8Array, length?: number, key?: Uint8Array): Uint8Array;
  argon2id(password: Uint8Array, salt: Uint8Array, opsLimit: number, memLimitBytes: number, length: number): Promise<Uint8Array>;
  randomBytes(n: number): Uint8Array;
}

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;
export const SEALED_BOX_OVERHEAD = 48;
export const ARGON2_SALT_BYTES = 16;
