import { KithError, type ErrorCode, type Result } from '@kith/core';

// Local twins of core's `ok`/`fail` (not on @kith/core's public entry point yet).
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: new KithError(code, message) };
}
