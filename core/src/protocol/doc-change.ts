import type { DeviceId, DocId, UserId } from '../ids.js';

/**
 * The unit of replication before encryption — the seam between the domain engine, crypto and
 * sync (ADR 0001). The engine emits one for every local change and accepts them from peers.
 *
 * - `update`: `payload` is a CRDT change (backend bytes) to document `doc`.
 * - `member`: `payload` is one encoded membership operation of the log `members:<conv>`.
 * - `snapshot`: `payload` is an author snapshot of a feed chunk (SNAP-2: the counter ranges it
 *   covers, then the CRDT state); a change of the author's own counter stream like an update.
 *
 * `counter` is per (doc, author, device), starting at 1 and increasing by one per change the
 * device emits for that doc (ENV-5): receivers detect duplicates and gaps with it, and a
 * removal op can name the last counter it accepts from the removed member. The crypto layer
 * binds `doc`, `kind`, `author` (via the author's key), `device` and `counter` into the
 * envelope; on receipt it proves them before the engine sees the change.
 */
export interface DocChange {
  readonly doc: DocId;
  readonly kind: 'update' | 'member' | 'snapshot';
  readonly author: UserId;
  readonly device: DeviceId;
  readonly counter: number;
  readonly payload: Uint8Array;
}

/**
 * The one key of a change: `<doc>|<device>|<counter>` (ids never contain `|`). The engine's
 * outbox items and the sync layer's push records (`sync/push/<key>`) use it, so an outbox item
 * and the envelope that carries it are found by the same key.
 */
/** What identifies a change of this device's outbox: its document, device and counter. */
export type AckedChange = Pick<DocChange, 'doc' | 'device' | 'counter'>;

/** Whether an `acknowledge` argument is a list of changes (a range) rather than one. */
export const isAckedList = (c: AckedChange | readonly AckedChange[]): c is readonly AckedChange[] => Array.isArray(c);

export const changeKey = (c: Pick<DocChange, 'doc' | 'device' | 'counter'>): string => `${c.doc}|${c.device}|${c.counter}`;

/** Reads a change key back; undefined when it is not one (e.g. written by another version). */
export function parseChangeKey(key: string): { readonly doc: DocId; readonly device: DeviceId; readonly counter: number } | undefined {
  const parts = key.split('|');
  if (parts.length !== 3) return undefined;
  const [doc, device, counterText] = parts as [string, string, string];
  const counter = Number(counterText);
  if (doc === '' || device === '' || !Number.isSafeInteger(counter) || counter < 1 || String(counter) !== counterText) return undefined;
  return { doc: doc as DocId, device: device as DeviceId, counter };
}
