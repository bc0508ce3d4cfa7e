import type { Result } from '../errors.js';

/**
 * Device-local key wrapping (ADR 0012): the key that protects secrets at rest on ONE device.
 * Every secret Kith persists locally (the identity bundle, the sync data key that in turn seals
 * epoch keys, roster keys and read tokens) is stored as `wrap(secret, aad)` and read back with
 * `unwrap`. Implementations: vault/webcrypto (a non-extractable AES-GCM CryptoKey kept in
 * IndexedDB: browsers, and Node with fake-indexeddb) and vault/memory (tests). Both run
 * `runVaultConformance` from `@kith/core/conformance`.
 *
 * Contract (clauses VLT-n):
 * - VLT-1 `unwrap(wrap(b, aad), aad)` is `ok(b)` (a fresh copy; inputs are never retained or mutated).
 * - VLT-2 `wrap` is randomized: wrapping the same bytes twice gives different outputs.
 * - VLT-3 The output never contains the plaintext (nor any 8-byte run of it).
 * - VLT-4 Another `aad`, a flipped bit, a truncation or bytes wrapped by another vault key:
 *   `decrypt_failed`. Bytes too short to be a wrapped value: `malformed`; an unknown format
 *   byte: `unsupported_version`. `unwrap` never throws for any input.
 * - VLT-5 The wrapping key never leaves the implementation (no export, no log).
 * Wrapped bytes are `format (1) ‖ nonce ‖ ciphertext ‖ tag (16)`, the AEAD's associated data is
 * `"kith/v1/vault" ‖ 0x00 ‖ format ‖ aad` (docs/PROTOCOL.md § Local storage, LOC-1).
 */
export interface SecretVault {
  /** What backs the key, for diagnostics (`webcrypto`, `memory`). Never key material. */
  readonly name: string;
  wrap(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  unwrap(wrapped: Uint8Array, aad: Uint8Array): Promise<Result<Uint8Array>>;
}

/** Format byte of AES-256-GCM with a 12-byte IV (vault/webcrypto). */
export const VAULT_FORMAT_AES_GCM = 0x01;
/** Format byte of XChaCha20-Poly1305 with a 24-byte nonce (vault/memory). */
export const VAULT_FORMAT_XCHACHA = 0x02;
export const VAULT_TAG_BYTES = 16;
