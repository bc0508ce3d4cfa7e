const REDACTED = '[secret]';

/**
 * Secret key material. The bytes are reachable only through `expose()`, so a secret never
 * reaches a log, an error message or JSON by accident: `toString`, `toJSON` and Node's
 * `util.inspect` all print `[secret]`.
 */
export class SecretKey {
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes.slice();
  }
  get length(): number {
    return this.#bytes.length;
  }
  /** The raw bytes, for handing to the crypto port only. Do not store or log them. */
  expose(): Uint8Array {
    return this.#bytes;
  }
  /** Overwrites the bytes with zeros (best effort: JS may hold copies). */
  wipe(): void {
    this.#bytes.fill(0);
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** Constant-time comparison of two byte arrays (length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

// The byte helpers of `@noble/hashes` (one implementation for the workspace, see protocol/hex.ts).
export { concatBytes, utf8ToBytes as utf8 } from '@noble/hashes/utils.js';
