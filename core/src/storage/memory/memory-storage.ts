import { KithError } from '../../errors.js';
import type { DocId } from '../../ids.js';
import type { Storage, StorageWrite, StoredDoc, StoredValue } from '../../ports/storage.js';
import { copyBytes, copyStoredValue, prepareWrites } from '../prepare-writes.js';

interface MemoryDoc {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
}

/**
 * The state behind memory storages. Keep one to "restart" a peer: close its storage and open a
 * new one over the same database, as a device reopens its IndexedDB. Its contents are private.
 */
export interface MemoryDatabase {
  readonly docs: Map<string, MemoryDoc>;
  readonly meta: Map<string, StoredValue>;
  /** Insertion-ordered: Map iteration order is the outbox order. */
  readonly outbox: Map<string, Uint8Array>;
}

export function createMemoryDatabase(): MemoryDatabase {
  return { docs: new Map(), meta: new Map(), outbox: new Map() };
}

export interface MemoryStorageOptions {
  /** Reopen this database instead of starting empty. */
  readonly database?: MemoryDatabase;
}

/** Fails a commit whose compactions do not match the stored updates, before anything is applied. */
function checkReplaces(db: MemoryDatabase, writes: readonly StorageWrite[]): KithError | null {
  const counts = new Map<string, number>();
  const count = (doc: string): number => counts.get(doc) ?? db.docs.get(doc)?.updates.length ?? 0;
  for (const [i, w] of writes.entries()) {
    if (w.type === 'appendUpdate') counts.set(w.doc, count(w.doc) + 1);
    else if (w.type === 'deleteDoc') counts.set(w.doc, 0);
    else if (w.type === 'putSnapshot') {
      const stored = count(w.doc);
      if (w.replaces > stored) {
        return new KithError('conflict', `write ${i} (putSnapshot): replaces ${w.replaces} of ${stored} updates`);
      }
      counts.set(w.doc, stored - w.replaces);
    }
  }
  return null;
}

function apply(db: MemoryDatabase, w: StorageWrite): void {
  switch (w.type) {
    case 'appendUpdate': {
      const doc = db.docs.get(w.doc) ?? { snapshot: null, updates: [] };
      doc.updates.push(w.data);
      db.docs.set(w.doc, doc);
      return;
    }
    case 'putSnapshot': {
      const doc = db.docs.get(w.doc) ?? { snapshot: null, updates: [] };
      doc.snapshot = w.data;
      doc.updates.splice(0, w.replaces);
      db.docs.set(w.doc, doc);
      return;
    }
    case 'deleteDoc':
      db.docs.delete(w.doc);
      return;
    case 'putMeta':
      db.meta.set(w.key, w.value);
      return;
    case 'deleteMeta':
      db.meta.delete(w.key);
      return;
    case 'enqueue':
      db.outbox.set(w.id, w.item); // an existing id keeps its place
      return;
    case 'dequeue':
      db.outbox.delete(w.id);
      return;
  }
}

/** Runs `fn` now (copies are taken at call time) and reports its outcome as a promise. */
function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Storage in memory, with the exact contract of the port: a commit is validated whole and then
 * applied, or rejected with nothing applied; everything is copied in and out.
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): Storage {
  const db = options.database ?? createMemoryDatabase();
  let closed = false;
  const open = (): void => {
    if (closed) throw new KithError('closed', 'storage is closed');
  };
  return {
    loadDoc(doc: DocId): Promise<StoredDoc | null> {
      return run(() => {
        open();
        const stored = db.docs.get(doc);
        if (stored === undefined) return null;
        return {
          snapshot: stored.snapshot === null ? null : copyBytes(stored.snapshot),
          updates: stored.updates.map(copyBytes),
        };
      });
    },
    listDocs(prefix: string): Promise<DocId[]> {
      return run(() => {
        open();
        return [...db.docs.keys()].filter((id) => id.startsWith(prefix)).sort() as DocId[];
      });
    },
    getMeta(key: string): Promise<StoredValue | undefined> {
      return run(() => {
        open();
        const value = db.meta.get(key);
        return value === undefined ? undefined : copyStoredValue(value);
      });
    },
    listMeta(prefix: string): Promise<Array<[string, StoredValue]>> {
      return run(() => {
        open();
        return [...db.meta.keys()]
          .filter((key) => key.startsWith(prefix))
          .sort()
          .map((key): [string, StoredValue] => [key, copyStoredValue(db.meta.get(key) as StoredValue)]);
      });
    },
    outbox(): Promise<Array<{ readonly id: string; readonly item: Uint8Array }>> {
      return run(() => {
        open();
        return [...db.outbox].map(([id, item]) => ({ id, item: copyBytes(item) }));
      });
    },
    commit(writes: readonly StorageWrite[]): Promise<void> {
      return run(() => {
        open();
        const prepared = prepareWrites(writes);
        if (!prepared.ok) throw prepared.error;
        const conflict = checkReplaces(db, prepared.value);
        if (conflict !== null) throw conflict;
        for (const w of prepared.value) apply(db, w);
      });
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}
