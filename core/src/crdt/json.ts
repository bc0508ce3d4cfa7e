import { KithError } from '../errors.js';
import type { Json } from '../ports/crdt.js';

/** Deeper values are refused: they are never legitimate and recursion must stay bounded. */
export const MAX_JSON_DEPTH = 32;

/**
 * Validates an app-supplied value and returns a deeply frozen copy, so later mutation by the
 * caller cannot reach into the document. Throws `invalid_argument` for anything that is not
 * JSON: `undefined`, NaN, ±Infinity, `-0` (JSON cannot carry it), functions, symbols,
 * bigints, sparse arrays, class instances (Date, Uint8Array, Map…), cycles, keys named
 * `__proto__`, or nesting deeper than MAX_JSON_DEPTH.
 */
export function toFrozenJson(value: unknown, depth = 0): Json {
  if (depth > MAX_JSON_DEPTH) throw new KithError('invalid_argument', 'value nested too deeply');
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new KithError('invalid_argument', 'numbers must be finite');
    if (Object.is(value, -0)) throw new KithError('invalid_argument', '-0 is not representable in JSON');
    return value;
  }
  if (Array.isArray(value)) {
    const out: Json[] = [];
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new KithError('invalid_argument', 'sparse arrays are not JSON');
      out.push(toFrozenJson(value[i], depth + 1));
    }
    return Object.freeze(out) as Json;
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw new KithError('invalid_argument', 'the key __proto__ is not allowed');
      out[key] = toFrozenJson((value as Record<string, unknown>)[key], depth + 1);
    }
    return Object.freeze(out);
  }
  throw new KithError('invalid_argument', `a ${typeof value === 'object' ? 'non-plain object' : typeof value} is not JSON`);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const checked = new WeakSet<object>();

/**
 * Read-side check of a value that came out of a document (possibly written by a hostile
 * peer): true when it is JSON by the rules of `toFrozenJson`. Objects that pass are frozen
 * and remembered, so repeated reads of the same stored value cost O(1).
 */
export function isStoredJson(value: unknown, depth = 0): value is Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || depth > MAX_JSON_DEPTH) return false;
  if (checked.has(value)) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !isStoredJson(value[i], depth + 1)) return false;
    }
  } else {
    if (!isPlainObject(value)) return false;
    for (const key of Object.keys(value)) {
      if (key === '__proto__' || !isStoredJson((value as Record<string, unknown>)[key], depth + 1)) return false;
    }
  }
  checked.add(Object.freeze(value));
  return true;
}

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEquals(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEquals(item, b[i]!));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && jsonEquals(a[k]!, b[k]!));
}
