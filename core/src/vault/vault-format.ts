import { fail, ok, type Result } from '../errors.js';
import { VAULT_TAG_BYTES } from '../ports/vault.js';
import { concatBytes, utf8 } from '../crypto/secret-key.js';

const DOMAIN = utf8('kith/v1/vault\0');

/** The AEAD associated data of a wrapped value: domain ‖ format ‖ caller's aad (LOC-1). */
export function vaultAad(format: number, aad: Uint8Array): Uint8Array {
  return concatBytes(DOMAIN, Uint8Array.of(format), aad);
}

export function frameWrapped(format: number, nonce: Uint8Array, sealed: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(format), nonce, sealed);
}

/** Splits `format ‖ nonce ‖ sealed` after checking its format and length (never throws). */
export function splitWrapped(wrapped: Uint8Array, format: number, nonceBytes: number): Result<{ nonce: Uint8Array; sealed: Uint8Array }> {
  if (!(wrapped instanceof Uint8Array) || wrapped.length < 1 + nonceBytes + VAULT_TAG_BYTES) return fail('malformed', 'wrapped value too short');
  if (wrapped[0] !== format) return fail('unsupported_version', `wrapped value format ${wrapped[0]!} is not this vault's`);
  return ok({ nonce: wrapped.slice(1, 1 + nonceBytes), sealed: wrapped.slice(1 + nonceBytes) });
}
