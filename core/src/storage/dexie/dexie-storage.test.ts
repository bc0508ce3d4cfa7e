import { IDBDatabase, IDBFactory, IDBKeyRange, IDBObjectStore } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { isKithError } from '../../errors.js';
import type { DocId } from '../../ids.js';
import { runStorageConformance } from '../../testing/storage-conformance.js';
import { DEXIE_SCHEMA_VERSION } from './dexie-schema.js';
import { createDexieStorage } from './dexie-storage.js';

// One private fake IndexedDB for this file: no globals touched, names reopen within it.
const indexedDB = new IDBFactory();

runStorageConformance('dexie (fake-indexeddb)', (name) => createDexieStorage({ name, indexedDB, IDBKeyRange }), {
  reopen: true,
});

function openRaw(name: string): Promise<globalThis.IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('open failed'));
  });
}

describe('dexie storage specifics', () => {
  it('requests durability "strict" for every commit transaction (DEX-1)', async () => {
    const spy = vi.spyOn(IDBDatabase.prototype, 'transaction');
    try {
      const s = await createDexieStorage({ name: 'durability', indexedDB, IDBKeyRange });
      await s.commit([
        { type: 'appendUpdate', doc: 'feed:c:a:0' as DocId, data: new Uint8Array([1]) },
        { type: 'enqueue', id: 'o', item: new Uint8Array([1]) },
      ]);
      await s.commit([{ type: 'putMeta', key: 'k', value: 1 }]);
      const rw = spy.mock.calls.filter((c) => c[1] === 'readwrite');
      expect(rw.length).toBe(3); // the schema stamp at open, then the two commits
      for (const call of rw) expect(call[2]).toEqual({ durability: 'strict' });
      await s.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a database stamped by a newer schema version with unsupported_version (DEX-2)', async () => {
    const s = await createDexieStorage({ name: 'from-the-future', indexedDB, IDBKeyRange });
    await s.commit([{ type: 'putMeta', key: 'k', value: 1 }]);
    await s.close();
    // What newer code would leave behind: its own version in the info row.
    const raw = await openRaw('from-the-future');
    await new Promise<void>((resolve, reject) => {
      const tx = raw.transaction('info', 'readwrite');
      tx.objectStore('info').put({ key: 'schema', version: DEXIE_SCHEMA_VERSION + 1 });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('write failed'));
    });
    raw.close();
    const error: unknown = await createDexieStorage({ name: 'from-the-future', indexedDB, IDBKeyRange }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isKithError(error, 'unsupported_version')).toBe(true);
  });

  it('stamps the schema version natively and in its info row (DEX-3)', async () => {
    const s = await createDexieStorage({ name: 'version', indexedDB, IDBKeyRange });
    await s.close();
    const raw = await openRaw('version');
    // Dexie stores version v as IndexedDB version v * 10.
    expect(raw.version).toBe(DEXIE_SCHEMA_VERSION * 10);
    const info = await new Promise<unknown>((resolve, reject) => {
      const req = raw.transaction('info').objectStore('info').get('schema');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('read failed'));
    });
    raw.close();
    expect(info).toEqual({ key: 'schema', version: DEXIE_SCHEMA_VERSION });
  });

  it('an IndexedDB failure mid-transaction (quota) rejects with storage_failed and writes nothing (DEX-4)', async () => {
    const s = await createDexieStorage({ name: 'quota', indexedDB, IDBKeyRange });
    const d = 'feed:c:a:0' as DocId;
    await s.commit([{ type: 'appendUpdate', doc: d, data: new Uint8Array([1]) }]);
    const realPut = IDBObjectStore.prototype.put;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'outbox') throw new DOMException('injected', 'QuotaExceededError');
      return realPut.apply(this, args);
    });
    try {
      const error: unknown = await s
        .commit([
          { type: 'appendUpdate', doc: d, data: new Uint8Array([2]) },
          { type: 'putMeta', key: 'cursor', value: 7 },
          { type: 'enqueue', id: 'o', item: new Uint8Array([2]) },
        ])
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(isKithError(error, 'storage_failed')).toBe(true);
      expect(String((error as Error).message)).toContain('QuotaExceededError');
      expect(String((error as Error).message)).not.toContain('injected');
    } finally {
      spy.mockRestore();
    }
    expect(await s.loadDoc(d)).toEqual({ snapshot: null, updates: [new Uint8Array([1])] });
    expect(await s.getMeta('cursor')).toBeUndefined();
    expect(await s.outbox()).toEqual([]);
    await s.commit([{ type: 'enqueue', id: 'o', item: new Uint8Array([3]) }]); // still usable
    expect((await s.outbox()).map((o) => o.id)).toEqual(['o']);
    await s.close();
  });

  it('two connections to one database (two tabs) interleave commits without losing or reordering (DEX-5)', async () => {
    const a = await createDexieStorage({ name: 'two-tabs', indexedDB, IDBKeyRange });
    const b = await createDexieStorage({ name: 'two-tabs', indexedDB, IDBKeyRange });
    const d = 'feed:c:a:0' as DocId;
    const commits: Array<Promise<void>> = [];
    for (let i = 0; i < 40; i++) {
      const s = i % 2 === 0 ? a : b;
      commits.push(s.commit([
        { type: 'appendUpdate', doc: d, data: new Uint8Array([i]) },
        { type: 'enqueue', id: `o${i}`, item: new Uint8Array([i]) },
      ]));
      if (i === 20) commits.push(b.commit([{ type: 'putSnapshot', doc: d, data: new Uint8Array([99]), replaces: 5 }]));
    }
    await Promise.all(commits);
    for (const s of [a, b]) {
      const loaded = await s.loadDoc(d);
      expect(loaded!.snapshot).toEqual(new Uint8Array([99]));
      expect(loaded!.updates.length).toBe(35);
      expect((await s.outbox()).length).toBe(40);
    }
    expect(await a.loadDoc(d)).toEqual(await b.loadDoc(d));
    await Promise.all([a.close(), b.close()]);
  });
});
