import type { Storage, StorageWrite } from '../ports/storage.js';
import { changeKey, isAckedList, type AckedChange, type DocChange } from '../protocol/doc-change.js';
import type { DocId } from '../ids.js';
import { KithError } from '../errors.js';
import { encodeRecord } from './record.js';

/**
 * Writes to the Storage port in order (one `commit` per change: document update, outbox item —
 * atomically) and keeps the outbox mirror sync code reads. Without a storage it only keeps the
 * mirror. After a failed commit the engine is `broken`: memory is ahead of disk, so every later
 * local operation fails with `storage_failed` until the app reopens the engine.
 */
export interface Persister {
  /** Persist a local change (update + outbox) and resolve when durable. */
  commitLocal(change: DocChange): Promise<void>;
  /** Persist an accepted remote change (fire and forget; failures mark the engine broken). */
  commitRemote(change: DocChange): void;
  /** Store device-local meta entries, in order with the other writes (fire and forget). */
  commitMeta(writes: readonly StorageWrite[]): void;
  /**
   * Store `writes` in order after every write queued so far (the remote changes taken before
   * them included); resolves when durable, rejects when this commit fails (the engine is not
   * marked broken: these are not its writes) or when one of the engine's commits before it
   * failed (then nothing is written: a cursor never passes a change that was not stored).
   */
  commitAfter(writes: readonly StorageWrite[]): Promise<void>;
  /**
   * SNAP-6: an author snapshot that covers every stored record of its chunk replaces them: the
   * document is rewritten as that one record (fire and forget, like `commitRemote`).
   */
  replaceDoc(snapshot: DocChange): void;
  /** My own author snapshot (ADR 0022): replaces the chunk's records and enters the outbox, one commit. */
  commitLocalReplacing(snapshot: DocChange): Promise<void>;
  /** Store a snapshot of a document (keeps its updates: see snapshots.ts). */
  snapshot(doc: DocId, data: Uint8Array): void;
  /** Takes changes out of the outbox; `alongside` go in the same commit (one atomic ack, BATCH-8). */
  acknowledge(change: AckedChange | readonly AckedChange[], alongside?: readonly StorageWrite[]): Promise<void>;
  outbox(): DocChange[];
  restoreOutbox(changes: readonly DocChange[]): void;
  /** Throws `storage_failed` when a commit has failed before. */
  expectHealthy(): void;
  idle(): Promise<void>;
}

/**
 * `alongside` is asked, when each commit is made, for writes that belong with it (the feed
 * index entries that the change being committed altered: ADR 0019), so they are durable together.
 */
export function createPersister(storage: Storage | undefined, alongside: () => StorageWrite[] = () => []): Persister {
  const pending = new Map<string, DocChange>();
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  /**
   * BATCH-6 group commit: the writes of the last queued commit while it has not started, when it
   * holds remote changes only. Remote changes taken meanwhile (a range's, or any burst received
   * while a commit is in progress) join it instead of queueing one commit each; any other commit
   * closes it, so the order of everything else is unchanged.
   */
  let open: { writes: StorageWrite[]; run: Promise<void> } | null = null;
  const commit = (own: StorageWrite[], remote = false): Promise<void> => {
    if (storage === undefined) return chain;
    if (remote && open !== null) {
      open.writes.push(...own, ...alongside());
      return open.run;
    }
    const writes = [...own, ...alongside()];
    if (writes.length === 0) return chain;
    const run = chain.then(async () => {
      if (open?.writes === writes) open = null;
      await storage.commit(writes);
    });
    open = remote ? { writes, run } : null;
    chain = run.catch((error: unknown) => {
      failure ??= error;
    });
    return run;
  };
  return {
    async commitLocal(change) {
      const record = encodeRecord(change);
      const key = changeKey(change);
      await commit([
        { type: 'appendUpdate', doc: change.doc, data: record },
        { type: 'enqueue', id: key, item: record },
      ]).catch((error: unknown) => {
        throw new KithError('storage_failed', 'could not persist a local change', { cause: error });
      });
      pending.set(key, change);
    },
    commitRemote(change) {
      void commit([{ type: 'appendUpdate', doc: change.doc, data: encodeRecord(change) }], true).catch(() => undefined);
    },
    replaceDoc(snapshot) {
      const writes: StorageWrite[] = [
        { type: 'deleteDoc', doc: snapshot.doc },
        { type: 'appendUpdate', doc: snapshot.doc, data: encodeRecord(snapshot) },
      ];
      void commit(writes).catch(() => undefined);
    },
    async commitLocalReplacing(snapshot) {
      const record = encodeRecord(snapshot);
      const key = changeKey(snapshot);
      await commit([
        { type: 'deleteDoc', doc: snapshot.doc },
        { type: 'appendUpdate', doc: snapshot.doc, data: record },
        { type: 'enqueue', id: key, item: record },
      ]).catch((error: unknown) => {
        throw new KithError('storage_failed', 'could not persist a snapshot', { cause: error });
      });
      pending.set(key, snapshot);
    },
    commitMeta(writes) {
      void commit([...writes]).catch(() => undefined);
    },
    commitAfter(writes) {
      // In the chain's order, but not the engine's own state: a failure here rejects for the
      // caller and does not mark the engine broken (these writes are not engine state).
      open = null;
      const run = chain.then(async () => {
        // A commit of the engine's before these failed (a received change among them, maybe):
        // the cursor must not become durable past what was not stored, or it would be lost.
        if (failure !== null) throw new KithError('storage_failed', 'an earlier write failed; these writes were not made', { cause: failure });
        if (storage !== undefined && writes.length > 0) await storage.commit([...writes]);
      });
      chain = run.catch(() => undefined);
      return run;
    },
    snapshot(doc, data) {
      void commit([{ type: 'putSnapshot', doc, data, replaces: 0 }]).catch(() => undefined);
    },
    async acknowledge(change, alongside = []) {
      const writes: StorageWrite[] = [];
      for (const c of isAckedList(change) ? change : [change]) {
        const key = changeKey(c);
        if (pending.delete(key)) writes.push({ type: 'dequeue', id: key });
      }
      writes.push(...alongside);
      if (writes.length === 0) return;
      await commit(writes).catch(() => undefined);
    },
    outbox: () => [...pending.values()],
    restoreOutbox(changes) {
      for (const c of changes) pending.set(changeKey(c), c);
    },
    expectHealthy() {
      if (failure !== null) throw new KithError('storage_failed', 'a previous write failed; reopen the engine', { cause: failure });
    },
    idle: () => chain,
  };
}
