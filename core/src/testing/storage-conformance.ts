import { afterEach, describe, expect, it } from 'vitest';
import type { Storage, StorageWrite } from '../ports/storage.js';
import { runStorageConformanceExtras } from './storage-conformance-extras.js';
import {
  bytes,
  docId,
  expectRejects,
  type MakeStorage,
  type StorageConformanceOptions,
  type StorageHarness,
} from './storage-conformance-helpers.js';

export type { MakeStorage, StorageConformanceOptions } from './storage-conformance-helpers.js';

/**
 * The storage port's contract (core/src/ports/storage.ts) as a vitest suite. Clause ids STO-n
 * are cited by docs/adr/0005-local-storage.md. Every implementation runs it:
 * `runStorageConformance('dexie', (key) => createDexieStorage({ name: key, ... }), { reopen: true })`.
 */
export function runStorageConformance(name: string, makeStorage: MakeStorage, options: StorageConformanceOptions = {}): void {
  let counter = 0;
  const opened: Storage[] = [];
  const harness: StorageHarness = {
    freshKey: () => `kith-conformance-${name}-${++counter}`,
    async open(key = harness.freshKey()) {
      const s = await makeStorage(key);
      opened.push(s);
      return s;
    },
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe(`storage conformance: ${name}`, () => {
    it('STO-1 an empty storage holds nothing', async () => {
      const s = await harness.open();
      expect(await s.loadDoc(docId('feed:a:b:0'))).toBeNull();
      expect(await s.listDocs('')).toEqual([]);
      expect(await s.getMeta('k')).toBeUndefined();
      expect(await s.listMeta('')).toEqual([]);
      expect(await s.outbox()).toEqual([]);
      await s.commit([]);
      expect(await s.listDocs('')).toEqual([]);
    });

    it('STO-2 appended updates load in order, with no snapshot until one is put', async () => {
      const s = await harness.open();
      const d = docId('feed:c:a:0');
      await s.commit([{ type: 'appendUpdate', doc: d, data: bytes(1) }]);
      await s.commit([
        { type: 'appendUpdate', doc: d, data: bytes(2) },
        { type: 'appendUpdate', doc: d, data: bytes(3, 3) },
        { type: 'appendUpdate', doc: d, data: new Uint8Array(0) },
      ]);
      expect(await s.loadDoc(d)).toEqual({ snapshot: null, updates: [bytes(1), bytes(2), bytes(3, 3), bytes()] });
    });

    it('STO-3 putSnapshot with replaces n drops the first n updates (compaction)', async () => {
      const s = await harness.open();
      const d = docId('feed:c:a:0');
      await s.commit([1, 2, 3, 4].map((n): StorageWrite => ({ type: 'appendUpdate', doc: d, data: bytes(n) })));
      await s.commit([{ type: 'putSnapshot', doc: d, data: bytes(9), replaces: 3 }]);
      expect(await s.loadDoc(d)).toEqual({ snapshot: bytes(9), updates: [bytes(4)] });
      await s.commit([{ type: 'putSnapshot', doc: d, data: bytes(8), replaces: 0 }]);
      expect(await s.loadDoc(d)).toEqual({ snapshot: bytes(8), updates: [bytes(4)] });
      await s.commit([
        { type: 'appendUpdate', doc: d, data: bytes(5) },
        { type: 'putSnapshot', doc: d, data: bytes(7), replaces: 2 },
        { type: 'appendUpdate', doc: d, data: bytes(6) },
      ]);
      expect(await s.loadDoc(d)).toEqual({ snapshot: bytes(7), updates: [bytes(6)] });
      const fresh = docId('feed:c:b:0');
      await s.commit([{ type: 'putSnapshot', doc: fresh, data: bytes(1), replaces: 0 }]);
      expect(await s.loadDoc(fresh)).toEqual({ snapshot: bytes(1), updates: [] });
    });

    it('STO-4 a snapshot replacing more updates than stored rejects (conflict) and writes nothing', async () => {
      const s = await harness.open();
      const d = docId('feed:c:a:0');
      await s.commit([{ type: 'appendUpdate', doc: d, data: bytes(1) }]);
      await expectRejects(
        s.commit([
          { type: 'putMeta', key: 'm', value: 1 },
          { type: 'appendUpdate', doc: d, data: bytes(2) },
          { type: 'enqueue', id: 'o', item: bytes(1) },
          { type: 'putSnapshot', doc: d, data: bytes(9), replaces: 3 },
        ]),
        'conflict',
      );
      expect(await s.loadDoc(d)).toEqual({ snapshot: null, updates: [bytes(1)] });
      expect(await s.getMeta('m')).toBeUndefined();
      expect(await s.outbox()).toEqual([]);
    });

    it('STO-5 deleteDoc removes snapshot and updates; unknown docs are a no-op', async () => {
      const s = await harness.open();
      const d = docId('feed:c:a:0');
      await s.commit([
        { type: 'appendUpdate', doc: d, data: bytes(1) },
        { type: 'putSnapshot', doc: d, data: bytes(2), replaces: 1 },
        { type: 'appendUpdate', doc: d, data: bytes(3) },
      ]);
      await s.commit([{ type: 'deleteDoc', doc: d }, { type: 'deleteDoc', doc: docId('feed:x:y:0') }]);
      expect(await s.loadDoc(d)).toBeNull();
      expect(await s.listDocs('')).toEqual([]);
      await s.commit([{ type: 'appendUpdate', doc: d, data: bytes(4) }]);
      expect(await s.loadDoc(d)).toEqual({ snapshot: null, updates: [bytes(4)] });
      await s.commit([
        { type: 'deleteDoc', doc: d },
        { type: 'appendUpdate', doc: d, data: bytes(5) },
      ]);
      expect(await s.loadDoc(d)).toEqual({ snapshot: null, updates: [bytes(5)] });
    });

    it('STO-6 listDocs filters by prefix and sorts', async () => {
      const s = await harness.open();
      const ids = ['feed:b:1:0', 'profile:a', 'feed:a:2:1', 'feed:a:2:0', 'members:c', 'feed:a:10:0', 'account:z'];
      await s.commit(ids.map((id): StorageWrite => ({ type: 'appendUpdate', doc: docId(id), data: bytes(1) })));
      expect(await s.listDocs('')).toEqual([...ids].sort());
      expect(await s.listDocs('feed:a:')).toEqual(['feed:a:10:0', 'feed:a:2:0', 'feed:a:2:1']);
      expect(await s.listDocs('feed:')).toEqual(['feed:a:10:0', 'feed:a:2:0', 'feed:a:2:1', 'feed:b:1:0']);
      expect(await s.listDocs('nothing')).toEqual([]);
      expect(await s.listDocs('profile:a')).toEqual(['profile:a']);
    });

    it('STO-7 meta: put, overwrite, delete (unknown = no-op), listMeta by prefix sorted', async () => {
      const s = await harness.open();
      await s.commit([
        { type: 'putMeta', key: 'cursor/b', value: 2 },
        { type: 'putMeta', key: 'cursor/a', value: 1 },
        { type: 'putMeta', key: 'key/x', value: bytes(1, 2) },
        { type: 'putMeta', key: 'cursor', value: 'root' },
      ]);
      await s.commit([
        { type: 'putMeta', key: 'cursor/a', value: 10 },
        { type: 'deleteMeta', key: 'cursor/b' },
        { type: 'deleteMeta', key: 'never-set' },
      ]);
      expect(await s.getMeta('cursor/a')).toBe(10);
      expect(await s.getMeta('cursor/b')).toBeUndefined();
      expect(await s.listMeta('cursor/')).toEqual([['cursor/a', 10]]);
      expect(await s.listMeta('')).toEqual([
        ['cursor', 'root'],
        ['cursor/a', 10],
        ['key/x', bytes(1, 2)],
      ]);
    });

    it('STO-8 meta values round-trip: bytes stay bytes, JSON stays JSON (nested)', async () => {
      const s = await harness.open();
      const json = { a: [1, 2.5, -3, { b: null, c: true, d: 'é😀' }], e: {}, f: [], g: 0, h: '' };
      const values = [json, [1, 'x', [null]], 'text', 0, -1.5, true, false, null, bytes(0, 255), new Uint8Array(0)];
      await s.commit(values.map((value, i): StorageWrite => ({ type: 'putMeta', key: `v${i}`, value })));
      for (const [i, value] of values.entries()) {
        const read = await s.getMeta(`v${i}`);
        expect(read).toEqual(value);
        expect(read instanceof Uint8Array).toBe(value instanceof Uint8Array);
      }
      // An object that merely looks like bytes is JSON, and an array of numbers is not bytes.
      await s.commit([
        { type: 'putMeta', key: 'w', value: { 0: 1, length: 1 } },
        { type: 'putMeta', key: 'x', value: [1, 2] },
      ]);
      expect(await s.getMeta('w')).not.toBeInstanceOf(Uint8Array);
      expect(Array.isArray(await s.getMeta('x'))).toBe(true);
    });

    it('STO-9 the outbox keeps insertion order across commits; dequeue of an unknown id is a no-op', async () => {
      const s = await harness.open();
      await s.commit([
        { type: 'enqueue', id: 'c', item: bytes(3) },
        { type: 'enqueue', id: 'a', item: bytes(1) },
      ]);
      await s.commit([{ type: 'enqueue', id: 'b', item: bytes(2) }]);
      await s.commit([{ type: 'dequeue', id: 'nope' }]);
      expect((await s.outbox()).map((o) => o.id)).toEqual(['c', 'a', 'b']);
      await s.commit([
        { type: 'dequeue', id: 'a' },
        { type: 'enqueue', id: 'd', item: bytes(4) },
      ]);
      expect(await s.outbox()).toEqual([
        { id: 'c', item: bytes(3) },
        { id: 'b', item: bytes(2) },
        { id: 'd', item: bytes(4) },
      ]);
    });

    it('STO-10 enqueue of a queued id replaces its item in place; after dequeue it goes last', async () => {
      const s = await harness.open();
      await s.commit(['a', 'b', 'c'].map((id): StorageWrite => ({ type: 'enqueue', id, item: bytes(1) })));
      await s.commit([{ type: 'enqueue', id: 'a', item: bytes(9) }]);
      expect(await s.outbox()).toEqual([
        { id: 'a', item: bytes(9) },
        { id: 'b', item: bytes(1) },
        { id: 'c', item: bytes(1) },
      ]);
      await s.commit([
        { type: 'dequeue', id: 'a' },
        { type: 'enqueue', id: 'a', item: bytes(7) },
        { type: 'enqueue', id: 'e', item: bytes(5) },
        { type: 'dequeue', id: 'e' },
      ]);
      expect(await s.outbox()).toEqual([
        { id: 'b', item: bytes(1) },
        { id: 'c', item: bytes(1) },
        { id: 'a', item: bytes(7) },
      ]);
    });

    it('STO-11 concurrent commits apply in call order; one that fails fails alone', async () => {
      const s = await harness.open();
      const doc = docId('c');
      // Not awaited in between: an implementation may merge them (group commit), never reorder
      // them or let one commit's failure take the others down.
      const results = await Promise.allSettled([
        s.commit([{ type: 'appendUpdate', doc, data: bytes(1) }, { type: 'enqueue', id: 'x', item: bytes(1) }]),
        s.commit([{ type: 'appendUpdate', doc, data: bytes(2) }]),
        s.commit([{ type: 'putSnapshot', doc, data: bytes(9), replaces: 5 }]), // conflict: 2 stored
        s.commit([{ type: 'putMeta', key: 'k', value: 1 }, { type: 'dequeue', id: 'x' }]),
        s.commit([{ type: 'putSnapshot', doc, data: bytes(8), replaces: 1 }, { type: 'appendUpdate', doc, data: bytes(3) }]),
        s.commit([{ type: 'putMeta', key: 'k', value: 2 }]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      const rejected = results[2];
      expect(rejected?.status === 'rejected' && (rejected.reason as { code?: unknown }).code).toBe('conflict');
      expect(await s.loadDoc(doc)).toEqual({ snapshot: bytes(8), updates: [bytes(2), bytes(3)] });
      expect(await s.getMeta('k')).toBe(2);
      expect(await s.outbox()).toEqual([]);
    });

    runStorageConformanceExtras(harness, options);
  });
}
