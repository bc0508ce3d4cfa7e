import { Dexie } from 'dexie';
import type { DexieOptions, Table } from 'dexie';
import { KithError } from '../../errors.js';
import type { DocId } from '../../ids.js';
import type { Storage, StorageWrite, StoredDoc, StoredValue } from '../../ports/storage.js';
import { prepareWrites } from '../prepare-writes.js';
import { DEXIE_SCHEMA_VERSION, declareDexieSchema, stampSchemaVersion, type DocRow, type KithDexie } from './dexie-schema.js';
import { commitKeys, planCommit } from './plan-commit.js';
import { createGroupCommit } from './group-commit.js';

export interface DexieStorageOptions {
  /** The IndexedDB database name: one per device profile. */
  readonly name: string;
  /** An IndexedDB implementation (e.g. fake-indexeddb's `indexedDB`); defaults to the global. */
  readonly indexedDB?: DexieOptions['indexedDB'];
  readonly IDBKeyRange?: DexieOptions['IDBKeyRange'];
}

/** Maps Dexie/IndexedDB failures onto Kith codes; the original error stays as `cause`. */
function storageError(error: unknown): KithError {
  if (error instanceof KithError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'DatabaseClosedError') return new KithError('closed', 'storage is closed', { cause: error });
  if (name === 'VersionError') {
    return new KithError('unsupported_version', 'local database was written by a newer version', { cause: error });
  }
  return new KithError('storage_failed', `IndexedDB operation failed (${typeof name === 'string' ? name : 'unknown'})`, {
    cause: error,
  });
}

/** The least string above every string that starts with `prefix`, or null if there is none. */
function prefixEnd(prefix: string): string | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return null;
}

function withPrefix<T>(table: Table<T, string>, index: string, prefix: string): Dexie.Collection<T, string> {
  const end = prefixEnd(prefix);
  return end === null ? table.where(index).aboveOrEqual(prefix) : table.where(index).between(prefix, end, true, false);
}

async function commitPrepared(db: KithDexie, writes: readonly StorageWrite[]): Promise<void> {
  const keys = commitKeys(writes);
  const tables = new Set<string>();
  if (keys.docs.length > 0) tables.add('docs').add('updates');
  if (keys.outbox.length > 0) tables.add('outbox');
  if (writes.some((w) => w.type === 'putMeta' || w.type === 'deleteMeta')) tables.add('meta');
  // Durability 'strict' is set for every transaction of this Dexie instance (constructor option).
  await db.transaction('rw', [...tables], async () => {
    const docRows = new Map<string, DocRow>();
    if (keys.docs.length > 0) {
      for (const row of await db.docs.bulkGet(keys.docs)) if (row !== undefined) docRows.set(row.doc, row);
    }
    const outboxSeqs = new Map<string, number>();
    if (keys.outbox.length > 0) {
      for (const row of await db.outbox.where('id').anyOf(keys.outbox).toArray()) {
        if (row.seq !== undefined) outboxSeqs.set(row.id, row.seq);
      }
    }
    const plan = planCommit(writes, docRows, outboxSeqs);
    // Requests run in issue order inside one IndexedDB transaction: deletes before adds.
    const ops: Array<Promise<unknown>> = [];
    for (const doc of plan.wipeUpdates) {
      ops.push(db.updates.where('[doc+seq]').between([doc, Dexie.minKey], [doc, Dexie.maxKey]).delete());
    }
    for (const d of plan.dropUpdates) {
      ops.push(db.updates.where('[doc+seq]').between([d.doc, d.from], [d.doc, d.to], true, false).delete());
    }
    if (plan.deleteDocs.length > 0) ops.push(db.docs.bulkDelete(plan.deleteDocs));
    if (plan.addUpdates.length > 0) ops.push(db.updates.bulkPut(plan.addUpdates));
    if (plan.putDocs.length > 0) ops.push(db.docs.bulkPut(plan.putDocs));
    if (plan.deleteMeta.length > 0) ops.push(db.meta.bulkDelete(plan.deleteMeta));
    if (plan.putMeta.length > 0) ops.push(db.meta.bulkPut(plan.putMeta));
    if (plan.deleteOutbox.length > 0) ops.push(db.outbox.bulkDelete(plan.deleteOutbox));
    if (plan.putOutbox.length > 0) ops.push(db.outbox.bulkPut(plan.putOutbox));
    await Promise.all(ops);
  });
}

/**
 * Storage on IndexedDB through Dexie 4 (docs/adr/0005-local-storage.md). Opens (creating or
 * upgrading) the database before it resolves. Every transaction is requested with durability
 * 'strict', so a resolved `commit` has been flushed to disk where the browser supports it.
 */
export async function createDexieStorage(options: DexieStorageOptions): Promise<Storage> {
  const dexieOptions: DexieOptions = { chromeTransactionDurability: 'strict', autoOpen: false };
  if (options.indexedDB !== undefined) dexieOptions.indexedDB = options.indexedDB;
  if (options.IDBKeyRange !== undefined) dexieOptions.IDBKeyRange = options.IDBKeyRange;
  // No live queries run on the engine's own database (it notifies through its own events), so
  // Dexie's live-query machinery is taken out: its cache layer builds an AbortController (and a
  // DOMException on abort) for every write transaction, its observability layer a range set per
  // mutated index and a cross-tab broadcast (ADR 0029).
  dexieOptions.cache = 'disabled';
  const db = new Dexie(options.name, dexieOptions) as KithDexie;
  db.unuse({ stack: 'dbcore', name: 'Cache' }).unuse({ stack: 'dbcore', name: 'Observability' });
  declareDexieSchema(db);
  try {
    await db.open();
    const stored = await stampSchemaVersion(db);
    if (stored > DEXIE_SCHEMA_VERSION) {
      throw new KithError('unsupported_version', `local database has schema ${stored}; this code knows up to ${DEXIE_SCHEMA_VERSION}`);
    }
  } catch (error) {
    db.close();
    throw storageError(error);
  }

  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  const run = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new KithError('closed', 'storage is closed'));
    const p = fn().catch((error: unknown) => {
      throw storageError(error);
    });
    const tracked: Promise<unknown> = p.then(
      () => inFlight.delete(tracked),
      () => inFlight.delete(tracked),
    );
    inFlight.add(tracked);
    return p;
  };

  const group = createGroupCommit((writes) => commitPrepared(db, writes));

  return {
    loadDoc(doc: DocId): Promise<StoredDoc | null> {
      return run(() =>
        db.transaction('r', ['docs', 'updates'], async () => {
          const row = await db.docs.get(doc);
          if (row === undefined) return null;
          const updates = await db.updates
            .where('[doc+seq]')
            .between([doc, row.first], [doc, row.next], true, false)
            .toArray();
          return { snapshot: row.snapshot, updates: updates.map((u) => u.data) };
        }),
      );
    },
    listDocs(prefix: string): Promise<DocId[]> {
      return run(async () => (await withPrefix(db.docs, 'doc', prefix).primaryKeys()) as DocId[]);
    },
    getMeta(key: string): Promise<StoredValue | undefined> {
      return run(async () => (await db.meta.get(key))?.value);
    },
    listMeta(prefix: string): Promise<Array<[string, StoredValue]>> {
      return run(async () =>
        (await withPrefix(db.meta, 'key', prefix).toArray()).map((r): [string, StoredValue] => [r.key, r.value]),
      );
    },
    outbox(): Promise<Array<{ readonly id: string; readonly item: Uint8Array }>> {
      return run(async () => (await db.outbox.toArray()).map((r) => ({ id: r.id, item: r.item })));
    },
    commit(writes: readonly StorageWrite[]): Promise<void> {
      // Validate and copy synchronously: later mutation of the caller's arrays changes nothing.
      const prepared = prepareWrites(writes);
      if (!prepared.ok) return Promise.reject(prepared.error);
      if (prepared.value.length === 0) return run(() => Promise.resolve());
      return run(() => group.commit(prepared.value));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(inFlight);
      db.close();
    },
  };
}
