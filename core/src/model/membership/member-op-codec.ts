import { blake2b } from '@noble/hashes/blake2.js';
import { fail, isKithError, KithError, ok, type Result } from '../../errors.js';
import { toHex } from '../../ids.js';
import { MEMBERSHIP_LIMITS, type MemberOp } from './member-op.js';
import { parseMemberOp } from './parse-member-op.js';

/**
 * Wire form of a membership op (ADR 0004 § Encoding): canonical JSON in UTF-8 — object keys
 * sorted by code unit, no whitespace, integers only, strings as `JSON.stringify` writes them.
 * One op has exactly one encoding: `decodeMemberOp` re-encodes and rejects any other byte
 * string, so an op's hash is a stable identity.
 */
export function encodeMemberOp(op: MemberOp): Uint8Array {
  let checked: MemberOp;
  try {
    checked = parseMemberOp(op);
  } catch (error) {
    // An app's argument, not wire input: report it as such.
    if (isKithError(error, 'malformed')) throw new KithError('invalid_argument', error.message.replace(/^malformed: /, ''));
    throw error;
  }
  const bytes = new TextEncoder().encode(canonicalJson(checked));
  if (bytes.length > MEMBERSHIP_LIMITS.maxOpBytes) {
    throw new KithError('too_large', `membership op is ${bytes.length} bytes, limit ${MEMBERSHIP_LIMITS.maxOpBytes}`);
  }
  return bytes;
}

/** Untrusted bytes → a validated op, or a typed error (`too_large`, `malformed`, `unsupported_version`). */
export function decodeMemberOp(bytes: Uint8Array): Result<MemberOp> {
  if (bytes.length > MEMBERSHIP_LIMITS.maxOpBytes) {
    return fail('too_large', `membership op is ${bytes.length} bytes, limit ${MEMBERSHIP_LIMITS.maxOpBytes}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    return fail('malformed', 'membership op is not UTF-8', cause);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    return fail('malformed', 'membership op is not JSON', cause);
  }
  let op: MemberOp;
  try {
    op = parseMemberOp(raw);
  } catch (error) {
    if (isKithError(error)) return { ok: false, error };
    return fail('malformed', 'membership op failed validation', error);
  }
  if (canonicalJson(op) !== text) return fail('malformed', 'membership op is not in canonical form');
  return ok(op);
}

/** Lowercase hex BLAKE2b-256 of the encoded op: its identity and the parent reference. */
export function memberOpHash(bytes: Uint8Array): string {
  return toHex(blake2b(bytes, { dkLen: 32 }));
}

/** Canonical JSON of a validated value (plain objects, arrays, strings, safe integers, null). */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'number') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new KithError('invalid_argument', 'membership op holds a value JSON cannot carry');
}
