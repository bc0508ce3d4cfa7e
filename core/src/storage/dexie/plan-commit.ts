import { KithError } from '../../errors.js';
import type { StorageWrite, StoredValue } from '../../ports/storage.js';
import type { DocRow, OutboxRow, UpdateRow } from './dexie-schema.js';

/** What one commit does to the tables, computed from the rows it touches (no I/O). */
export interface CommitPlan {
  /** Documents whose every stored update is deleted (deleteDoc), before anything is added. */
  readonly wipeUpdates: string[];
  /** Stored update ranges `[doc, from) .. [doc, to)` dropped by compaction. */
  readonly dropUpdates: Array<{ doc: string; from: number; to: number }>;
  readonly addUpdates: UpdateRow[];
  readonly putDocs: DocRow[];
  readonly deleteDocs: string[];
  readonly putMeta: Array<{ key: string; value: StoredValue }>;
  readonly deleteMeta: string[];
  /** Outbox rows to delete (by seq), before `putOutbox`. */
  readonly deleteOutbox: number[];
  /** In order; rows without `seq` are appended (new seq), rows with one replace in place. */
  readonly putOutbox: OutboxRow[];
}

interface DocState {
  readonly stored: DocRow | null;
  row: DocRow | null;
  wiped: boolean;
  /** Sequence numbers below this are or were in use for the document. */
  floor: number;
  readonly added: Map<number, Uint8Array>;
}

/** Document ids and outbox ids a commit touches: the rows `planCommit` needs loaded. */
export function commitKeys(writes: readonly StorageWrite[]): { docs: string[]; outbox: string[] } {
  const docs = new Set<string>();
  const outbox = new Set<string>();
  for (const w of writes) {
    if (w.type === 'appendUpdate' || w.type === 'putSnapshot' || w.type === 'deleteDoc') docs.add(w.doc);
    else if (w.type === 'enqueue' || w.type === 'dequeue') outbox.add(w.id);
  }
  return { docs: [...docs], outbox: [...outbox] };
}

/**
 * Applies `writes` in order to the loaded rows and returns the resulting table operations.
 * Throws `conflict` when a snapshot replaces more updates than the document holds at that point
 * (the caller runs this inside the transaction, so throwing aborts it and nothing is written).
 */
export function planCommit(
  writes: readonly StorageWrite[],
  docRows: ReadonlyMap<string, DocRow>,
  outboxSeqs: ReadonlyMap<string, number>,
): CommitPlan {
  const docs = new Map<string, DocState>();
  const docState = (doc: string): DocState => {
    let s = docs.get(doc);
    if (s === undefined) {
      const stored = docRows.get(doc) ?? null;
      s = { stored, row: stored === null ? null : { ...stored }, wiped: false, floor: stored?.next ?? 0, added: new Map() };
      docs.set(doc, s);
    }
    return s;
  };
  const liveRow = (s: DocState, doc: string): DocRow => {
    s.row ??= { doc, snapshot: null, first: s.floor, next: s.floor };
    return s.row;
  };
  const meta = new Map<string, { value: StoredValue } | null>(); // null: delete
  const known = new Map(outboxSeqs);
  const deleteOutbox: number[] = [];
  const puts = new Map<string, OutboxRow>();

  for (const [i, w] of writes.entries()) {
    switch (w.type) {
      case 'appendUpdate': {
        const s = docState(w.doc);
        const row = liveRow(s, w.doc);
        s.added.set(row.next, w.data);
        row.next += 1;
        s.floor = row.next;
        break;
      }
      case 'putSnapshot': {
        const s = docState(w.doc);
        const row = liveRow(s, w.doc);
        const count = row.next - row.first;
        if (w.replaces > count) {
          throw new KithError('conflict', `write ${i} (putSnapshot): replaces ${w.replaces} of ${count} updates`);
        }
        for (let seq = row.first; seq < row.first + w.replaces; seq++) s.added.delete(seq);
        row.first += w.replaces;
        row.snapshot = w.data;
        break;
      }
      case 'deleteDoc': {
        const s = docState(w.doc);
        if (s.row !== null) s.floor = s.row.next;
        s.row = null;
        s.wiped = true;
        s.added.clear();
        break;
      }
      case 'putMeta':
        meta.set(w.key, { value: w.value });
        break;
      case 'deleteMeta':
        meta.set(w.key, null);
        break;
      case 'enqueue': {
        const pending = puts.get(w.id);
        const seq = known.get(w.id);
        if (pending !== undefined) pending.item = w.item;
        else puts.set(w.id, seq === undefined ? { id: w.id, item: w.item } : { seq, id: w.id, item: w.item });
        break;
      }
      case 'dequeue': {
        puts.delete(w.id);
        const seq = known.get(w.id);
        if (seq !== undefined) {
          deleteOutbox.push(seq);
          known.delete(w.id);
        }
        break;
      }
    }
  }

  const plan: CommitPlan = {
    wipeUpdates: [],
    dropUpdates: [],
    addUpdates: [],
    putDocs: [],
    deleteDocs: [],
    putMeta: [],
    deleteMeta: [],
    deleteOutbox,
    putOutbox: [...puts.values()],
  };
  for (const [doc, s] of docs) {
    if (s.wiped && s.stored !== null) plan.wipeUpdates.push(doc);
    else if (s.stored !== null && s.row !== null && s.row.first > s.stored.first) {
      plan.dropUpdates.push({ doc, from: s.stored.first, to: Math.min(s.row.first, s.stored.next) });
    }
    for (const [seq, data] of s.added) plan.addUpdates.push({ doc, seq, data });
    if (s.row !== null) plan.putDocs.push(s.row);
    else if (s.stored !== null) plan.deleteDocs.push(doc);
  }
  for (const [key, put] of meta) {
    if (put === null) plan.deleteMeta.push(key);
    else plan.putMeta.push({ key, value: put.value });
  }
  return plan;
}
