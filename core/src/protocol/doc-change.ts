import type { DeviceId, DocId, UserId } from '../ids.js';

/**
 * The unit of replication before encryption — the seam between the domain engine, crypto and
 * sync (ADR 0001). The engine emits one for every local change and accepts them from peers.
 *
 * - `update`: `payload` is a CRDT change (backend bytes) to document `doc`.
 * - `member`: `payload` is one encoded membership operation of the log `members:<conv>`.
 *
 * `counter` is per (doc, author, device), starting at 1 and increasing by one per change the
 * device emits for that doc (ENV-5): receivers detect duplicates and gaps with it, and a
 * removal op can name the last counter it accepts from the removed member. The crypto layer
 * binds `doc`, `kind`, `author` (via the author's key), `device` and `counter` into the
 * envelope; on receipt it proves them before the engine sees the change.
 */
export interface DocChange {
  readonly doc: DocId;
  readonly kind: 'update' | 'member';
  readonly author: UserId;
  readonly device: DeviceId;
  readonly counter: number;
  readonly payload: Uint8Array;
}
