import { fail, ok, type Result } from '../errors.js';
import type { DocId } from '../ids.js';
import type { Json } from '../ports/crdt.js';
import type { StorageWrite, StoredValue } from '../ports/storage.js';

/** Longest accepted document id, meta key or outbox id (UTF-16 code units). */
export const MAX_STORAGE_KEY_LENGTH = 1024;
/** Deepest accepted nesting of a JSON meta value. */
export const MAX_JSON_DEPTH = 64;

/**
 * A tight copy of `bytes`: a plain Uint8Array that owns exactly its bytes. A view into a larger
 * buffer (subarray, Node Buffer pool) would otherwise be structured-cloned whole into IndexedDB.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}

/** A deep copy of a stored value (bytes stay bytes, JSON stays JSON). */
export function copyStoredValue(value: StoredValue): StoredValue {
  if (value instanceof Uint8Array) return copyBytes(value);
  return structuredClone(value);
}

function isJson(value: unknown, depth: number): value is Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value)) {
    if (!isJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** True when `value` may be stored in meta: bytes, or JSON with finite numbers and plain objects. */
export function isStoredValue(value: unknown): value is StoredValue {
  return value instanceof Uint8Array || isJson(value, 0);
}

function isKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_STORAGE_KEY_LENGTH;
}

function prepareOne(w: unknown): StorageWrite | string {
  if (typeof w !== 'object' || w === null) return 'not a write';
  const r = w as Record<string, unknown>;
  switch (r['type']) {
    case 'appendUpdate':
      if (!isKey(r['doc'])) return 'bad doc id';
      if (!(r['data'] instanceof Uint8Array)) return 'data is not a Uint8Array';
      return { type: 'appendUpdate', doc: r['doc'] as DocId, data: copyBytes(r['data']) };
    case 'putSnapshot': {
      const replaces = r['replaces'];
      if (!isKey(r['doc'])) return 'bad doc id';
      if (!(r['data'] instanceof Uint8Array)) return 'data is not a Uint8Array';
      if (typeof replaces !== 'number' || !Number.isSafeInteger(replaces) || replaces < 0) {
        return 'replaces is not a non-negative integer';
      }
      return { type: 'putSnapshot', doc: r['doc'] as DocId, data: copyBytes(r['data']), replaces };
    }
    case 'deleteDoc':
      return isKey(r['doc']) ? { type: 'deleteDoc', doc: r['doc'] as DocId } : 'bad doc id';
    case 'putMeta':
      if (!isKey(r['key'])) return 'bad key';
      if (!isStoredValue(r['value'])) return 'value is neither bytes nor JSON';
      return { type: 'putMeta', key: r['key'], value: copyStoredValue(r['value']) };
    case 'deleteMeta':
      return isKey(r['key']) ? { type: 'deleteMeta', key: r['key'] } : 'bad key';
    case 'enqueue':
      if (!isKey(r['id'])) return 'bad outbox id';
      if (!(r['item'] instanceof Uint8Array)) return 'item is not a Uint8Array';
      return { type: 'enqueue', id: r['id'], item: copyBytes(r['item']) };
    case 'dequeue':
      return isKey(r['id']) ? { type: 'dequeue', id: r['id'] } : 'bad outbox id';
    default:
      return 'unknown write type';
  }
}

/**
 * Validates every write of a commit before anything is applied and returns private copies
 * (bytes copied tightly, JSON deep-copied), so a caller mutating its arrays afterwards cannot
 * change what is stored. The first invalid write fails the whole commit with
 * `invalid_argument`; the message names its index and type, never its contents.
 */
export function prepareWrites(writes: readonly StorageWrite[]): Result<StorageWrite[]> {
  if (!Array.isArray(writes)) return fail('invalid_argument', 'commit expects an array of writes');
  const out: StorageWrite[] = [];
  for (let i = 0; i < writes.length; i++) {
    const prepared = prepareOne(writes[i]);
    if (typeof prepared === 'string') {
      const type = (writes[i] as { type?: unknown } | undefined)?.type;
      return fail('invalid_argument', `write ${i} (${typeof type === 'string' ? type.slice(0, 20) : '?'}): ${prepared}`);
    }
    out.push(prepared);
  }
  return ok(out);
}
