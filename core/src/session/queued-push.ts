import type { DocId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';

/** An envelope waiting for the relay's acknowledgement (meta `sync/push/<change key>`). */
export interface QueuedPush {
  /** The change key of the envelope (`changeKey`): document and (first) counter. */
  readonly key: string;
  readonly doc: DocId;
  readonly bytes: Uint8Array;
  /** The change it carries (acknowledged to the engine when the relay stores it). */
  readonly change?: DocChange;
  /**
   * BATCH-1, BATCH-8: for a range, the change key of every change it carries (`key` first) and
   * those changes still in the outbox; the relay's ack of the envelope acknowledges them all.
   */
  readonly keys?: readonly string[];
  readonly changes?: readonly DocChange[];
}

/** The change keys a push covers: its own, or every key of its range. */
export const pushKeys = (p: QueuedPush): readonly string[] => p.keys ?? [p.key];

/** The outbox changes a push acknowledges. */
export const pushChanges = (p: QueuedPush): readonly DocChange[] => p.changes ?? (p.change === undefined ? [] : [p.change]);
