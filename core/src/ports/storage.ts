import type { DocId } from '../ids.js';
import type { Json } from './crdt.js';

/**
 * Local persistence of one device. Implementations: storage/memory (tests, demos) and
 * storage/dexie (IndexedDB; fake-indexeddb in Node). Both run `runStorageConformance` from the
 * testing entry point.
 *
 * Contract:
 * - `commit` applies all writes atomically and resolves only when they are durable
 *   (Dexie: a `durability: 'strict'` transaction). If it rejects, nothing was written.
 * - A document is a snapshot (or none) plus the updates appended since; `putSnapshot` with
 *   `replaces: n` drops the first `n` updates in the same transaction (compaction).
 * - Reads return copies; callers may not mutate stored bytes.
 * - Outbox items keep insertion order; `dequeue` of an unknown id is a no-op.
 * - Writes of one commit apply in order. A commit holding an invalid write rejects with
 *   `invalid_argument`; a `putSnapshot` whose `replaces` exceeds the updates the document holds
 *   at that point rejects with `conflict`; after `close` every call rejects with `closed`.
 * - `enqueue` of an id already queued replaces its item in place (retries keep their order);
 *   an id enqueued again after its `dequeue` goes to the end.
 * - Clause ids STO-n: core/src/testing/storage-conformance.ts; design: docs/adr/0005-local-storage.md.
 */
export type StorageWrite =
  | { readonly type: 'appendUpdate'; readonly doc: DocId; readonly data: Uint8Array }
  | { readonly type: 'putSnapshot'; readonly doc: DocId; readonly data: Uint8Array; readonly replaces: number }
  | { readonly type: 'deleteDoc'; readonly doc: DocId }
  | { readonly type: 'putMeta'; readonly key: string; readonly value: StoredValue }
  | { readonly type: 'deleteMeta'; readonly key: string }
  | { readonly type: 'enqueue'; readonly id: string; readonly item: Uint8Array }
  | { readonly type: 'dequeue'; readonly id: string };

/** What the meta store holds: JSON or raw bytes (wrapped keys, versions). */
export type StoredValue = Json | Uint8Array;

export interface StoredDoc {
  readonly snapshot: Uint8Array | null;
  readonly updates: readonly Uint8Array[];
}

export interface Storage {
  loadDoc(doc: DocId): Promise<StoredDoc | null>;
  /** Ids of stored documents starting with `prefix`, sorted. */
  listDocs(prefix: string): Promise<DocId[]>;
  getMeta(key: string): Promise<StoredValue | undefined>;
  /** Entries whose key starts with `prefix`, sorted by key. */
  listMeta(prefix: string): Promise<Array<[string, StoredValue]>>;
  /** Outbox items in insertion order. */
  outbox(): Promise<Array<{ readonly id: string; readonly item: Uint8Array }>>;
  commit(writes: readonly StorageWrite[]): Promise<void>;
  close(): Promise<void>;
}
