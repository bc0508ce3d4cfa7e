/**
 * One error class for everything Kith reports. Untrusted input (network, relay, disk, peers,
 * app calls) yields a KithError with a stable `code` from the catalogue in docs/ERRORS.md;
 * broken invariants are programmer errors and use `assert`/`unreachable`.
 *
 * Messages must never contain secrets or plaintext payloads.
 */
export const ERROR_CODES = [
  // input validation (KITH-1xx)
  'invalid_argument',
  'invalid_id',
  'message_empty',
  'message_too_large',
  // domain rules (KITH-2xx)
  'unknown_conversation',
  'unknown_message',
  'not_a_member',
  'not_an_admin',
  'not_the_author',
  'message_deleted',
  'receipt_backwards',
  'blocked',
  'conflict',
  // wire / decoding (KITH-3xx)
  'malformed',
  'unsupported_version',
  'too_large',
  'decode_timeout',
  // crypto (KITH-4xx)
  'bad_signature',
  'decrypt_failed',
  'unknown_epoch',
  'replay',
  'equivocation',
  'counter_gap',
  'key_changed',
  'unauthorized',
  'forbidden',
  'rollback',
  'wrong_password',
  'self_check_failed',
  'quarantined',
  // storage / transport (KITH-5xx)
  'storage_failed',
  'not_found',
  'offline',
  'rate_limited',
  'quota_exceeded',
  'closed',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class KithError extends Error {
  override readonly name = 'KithError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}

export function isKithError(value: unknown, code?: ErrorCode): value is KithError {
  return value instanceof KithError && (code === undefined || value.code === code);
}

/** A result for untrusted input: either a value or a typed error, never an exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: KithError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string, cause?: unknown): Result<T> {
  return { ok: false, error: new KithError(code, message, cause === undefined ? undefined : { cause }) };
}

/** Programmer error: an invariant does not hold. Never used for untrusted input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
