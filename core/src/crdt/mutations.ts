import { KithError } from '../errors.js';
import type { CrdtEvent, CrdtMutation, Json } from '../ports/crdt.js';
import { jsonEquals, toFrozenJson } from './json.js';

/** Collection names: short identifiers (they become Yjs root names / Automerge key prefixes). */
const COLLECTION_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const MAX_KEY_LENGTH = 1024;

export function isCollectionName(value: unknown): value is string {
  return typeof value === 'string' && COLLECTION_RE.test(value);
}

export function isKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH && !value.includes('\u0000');
}

export type NormalizedMutation =
  | { readonly op: 'set'; readonly collection: string; readonly key: string; readonly value: Json }
  | { readonly op: 'delete'; readonly collection: string; readonly key: string };

/**
 * Validates a `change` call (throws `invalid_argument`: it is an app call, not remote input)
 * and drops mutations that would not change what `get` returns — a set to an equal value, a
 * delete of an absent key — so a no-op change yields `null` on every backend. When one call
 * touches a key twice, the last mutation wins, as if applied in order.
 */
export function normalizeMutations(
  mutations: readonly CrdtMutation[],
  current: (collection: string, key: string) => Json | undefined,
): NormalizedMutation[] {
  const list: unknown = mutations;
  if (!Array.isArray(list)) throw new KithError('invalid_argument', 'mutations must be an array');
  const last = new Map<string, NormalizedMutation>();
  for (const m of mutations) {
    if (typeof m !== 'object' || m === null) throw new KithError('invalid_argument', 'mutation must be an object');
    if (!isCollectionName(m.collection)) throw new KithError('invalid_argument', 'bad collection name');
    if (!isKey(m.key)) throw new KithError('invalid_argument', 'bad key');
    const id = `${m.collection}\u0000${m.key}`;
    last.delete(id); // keep insertion order = order of the last mutation per key
    if (m.op === 'set') {
      last.set(id, { op: 'set', collection: m.collection, key: m.key, value: toFrozenJson(m.value) });
    } else if (m.op === 'delete') {
      last.set(id, { op: 'delete', collection: m.collection, key: m.key });
    } else {
      throw new KithError('invalid_argument', 'unknown mutation op');
    }
  }
  const out: NormalizedMutation[] = [];
  for (const m of last.values()) {
    const now = current(m.collection, m.key);
    if (m.op === 'set' ? now !== undefined && jsonEquals(now, m.value) : now === undefined) continue;
    out.push(m);
  }
  return out;
}

/** Listener bookkeeping shared by the backends. A throwing listener does not stop the others. */
export function createListeners(): {
  add(listener: (event: CrdtEvent) => void): () => void;
  emit(event: CrdtEvent): void;
} {
  const listeners = new Set<(event: CrdtEvent) => void>();
  return {
    add(listener) {
      const entry = (event: CrdtEvent): void => listener(event);
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    emit(event) {
      let firstError: unknown;
      for (const l of [...listeners]) {
        try {
          l(event);
        } catch (error) {
          firstError ??= error;
        }
      }
      if (firstError !== undefined) {
        throw firstError instanceof Error ? firstError : new Error('a CRDT listener threw', { cause: firstError });
      }
    },
  };
}

/** Sorts (collection, key) pairs and removes duplicates, for stable event payloads. */
export function sortTouched(
  keys: Iterable<{ collection: string; key: string }>,
): Array<{ collection: string; key: string }> {
  const seen = new Map<string, { collection: string; key: string }>();
  for (const k of keys) seen.set(`${k.collection}\u0000${k.key}`, { collection: k.collection, key: k.key });
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** Replica identity bytes: the given actor (≥ 8 bytes) or 16 fresh random bytes. */
export function actorBytes(actor: Uint8Array | undefined): Uint8Array {
  if (actor === undefined) return crypto.getRandomValues(new Uint8Array(16));
  if (!(actor instanceof Uint8Array) || actor.length < 8 || actor.length > 64) {
    throw new KithError('invalid_argument', 'actor must be 8 to 64 bytes');
  }
  return actor;
}
