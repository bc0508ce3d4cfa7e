import type { Result } from '../errors.js';

/** A JSON value as stored in a CRDT document. Numbers must be finite. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The CRDT engines Kith can run on. */
export type CrdtBackendName = 'yjs' | 'automerge';

/**
 * One mutation of a document. A document is a set of named collections, each a map from
 * string key to a JSON value with last-writer-wins semantics per key (values are replaced
 * whole, never merged field by field). This is all the Kith domain needs: messages keyed by
 * id, reactions keyed by message id, receipts keyed by device, profile fields by name.
 */
export type CrdtMutation =
  | { op: 'set'; collection: string; key: string; value: Json }
  | { op: 'delete'; collection: string; key: string };

/** What a local or remote change touched, collection by collection. */
export interface CrdtTouched {
  readonly keys: ReadonlyArray<{ readonly collection: string; readonly key: string }>;
}

export interface CrdtEvent extends CrdtTouched {
  readonly origin: 'local' | 'remote';
}

/**
 * A live CRDT document. Synchronous and single-threaded; the backend's own types never leak
 * through this interface.
 *
 * Contract (checked by `runCrdtBackendConformance` in the testing entry point):
 * - `change` applies the mutations atomically and returns the encoded change, or `null` when
 *   nothing changed (e.g. an empty list, a set to an equal value, a delete of an absent key).
 *   It throws `KithError('invalid_argument')` for a value that is not JSON (`undefined`, NaN,
 *   ±Infinity, `-0`, class instances, cycles, a `__proto__` key) or a bad collection name
 *   (`/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/`) or key (1–1,024 chars, no NUL) — app input, not remote.
 * - Values read back deeply frozen and exactly as written (numbers, key order included).
 *   Values a hostile peer wrote that are not JSON are invisible (`get` → undefined, not listed).
 * - `apply` accepts changes from `change`, `changesSince` and `save` of any replica, in any
 *   order, any number of times (idempotent, commutative); malformed bytes yield a
 *   `malformed` error and leave the document unchanged. It does not defend against inputs that
 *   make the backend hang — run untrusted bytes through the decode sandbox first.
 * - Two replicas that applied the same set of changes have equal `entries` for every collection.
 * - `changesSince(v)` returns what a replica at version `v` lacks; `changesSince()` everything.
 *   An unreadable `v` (it comes from the network) counts as empty. The result is always valid
 *   input for `apply`, even when nothing is missing.
 * - Listeners see one event per `change`/`apply` that touched something.
 */
export interface CrdtDocument {
  readonly backend: CrdtBackendName;
  get(collection: string, key: string): Json | undefined;
  /** Keys of a collection in a deterministic (sorted) order. */
  keys(collection: string): string[];
  /** Entries of a collection, sorted by key. */
  entries(collection: string): Array<[string, Json]>;
  /** Names of the collections that hold at least one key, sorted. */
  collections(): string[];
  change(mutations: readonly CrdtMutation[]): Uint8Array | null;
  apply(change: Uint8Array): Result<CrdtTouched>;
  /** An opaque encoding of what this replica has seen (state vector / heads). */
  version(): Uint8Array;
  changesSince(version?: Uint8Array): Uint8Array;
  /** A compact encoding of the whole document, loadable by `CrdtBackend.load`. */
  save(): Uint8Array;
  on(listener: (event: CrdtEvent) => void): () => void;
}

export interface CrdtDocumentOptions {
  /**
   * Replica identity, at least 8 bytes. Two live replicas must never share it. Tests pass a
   * seeded value for determinism; otherwise the backend draws one at random.
   */
  readonly actor?: Uint8Array;
}

export interface CrdtBackend {
  readonly name: CrdtBackendName;
  create(options?: CrdtDocumentOptions): CrdtDocument;
  load(saved: Uint8Array, options?: CrdtDocumentOptions): Result<CrdtDocument>;
}
