import { createHash, timingSafeEqual } from 'node:crypto';
import { createSodiumCrypto, decodePublicIdentity, type CryptoPort, type PublicIdentity, type Result } from '@kith/core';
import { encodeHex } from '@kith/core/protocol';
import sodium from 'libsodium-wrappers';

/** Resolves once libsodium is loaded; every other function here needs it. */
export async function relayCryptoReady(): Promise<void> {
  await sodium.ready;
}

/** Ed25519 detached verification; false (never a throw) for wrong lengths or a bad signature. */
export function verifyDetached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function equalHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Incremental BLAKE2b-256, the content address of a blob (BlobId). */
export interface Blake2bStream {
  update(chunk: Uint8Array): void;
  digestHex(): string;
}

export function createBlake2bStream(): Blake2bStream {
  const state = sodium.crypto_generichash_init(null, 32);
  return {
    update: (chunk) => sodium.crypto_generichash_update(state, chunk),
    digestHex: () => encodeHex(sodium.crypto_generichash_final(state, 32)),
  };
}

export function blake2b128(text: string): Uint8Array {
  return sodium.crypto_generichash(16, new TextEncoder().encode(text), null);
}

export function randomToken(bytes = 32): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return Buffer.from(b).toString('base64url');
}

export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
}

let port: Promise<CryptoPort> | undefined;

/**
 * KEY-1: parses a 128-byte public identity (signKey ‖ boxKey ‖ signature) with core's
 * `decodePublicIdentity`, which checks that the signing key signed the box key.
 */
export async function verifyPublicIdentityBytes(bytes: Uint8Array): Promise<Result<PublicIdentity>> {
  port ??= createSodiumCrypto();
  return decodePublicIdentity(await port, bytes);
}
