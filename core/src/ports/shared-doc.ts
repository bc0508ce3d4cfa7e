import type { CrdtBackendName } from './crdt.js';

/**
 * How an app's CRDT library plays a shared document (ADR 0025). The engine never decodes a shared
 * document's bytes: it judges who wrote them (DOC-4), stores and syncs them, and hands the allowed
 * ones to this port, which applies them to the app's own document object `D` (a `Y.Doc`, an
 * Automerge handle). Implementations: `yjsSharedDocs` (`@kith/core/yjs`) and `automergeSharedDocs`
 * (`@kith/core/automerge`, ADR 0026: changes applied one at a time in causal order, ADR 0011).
 *
 * Contract:
 * - `apply` applies change bytes from another replica (or this one, restored) and never reports
 *   them to `onLocal` listeners; malformed bytes return false and leave the document unchanged.
 * - `onLocal` reports the bytes of every local edit of `doc` — bytes that `apply` on another
 *   replica accepts — once each, in the order they were made.
 * - Two documents that applied the same set of change bytes, in any order, are equal.
 */
export interface SharedDocBackend<D> {
  readonly name: CrdtBackendName;
  /** A new, empty document. */
  create(): D;
  apply(doc: D, payload: Uint8Array): boolean;
  onLocal(doc: D, listener: (payload: Uint8Array) => void): () => void;
  /** Releases a document that is no longer used (optional). */
  destroy?(doc: D): void;
}
