import { expect, it } from 'vitest';
import type { Storage, StorageWrite } from '../ports/storage.js';
import { bytes, docId, expectRejects, type StorageConformanceOptions, type StorageHarness } from './storage-conformance-helpers.js';

const d = docId('feed:c:a:0');

/** Writes that must each fail a whole commit with `invalid_argument`. */
function invalidWrites(): Array<[string, unknown]> {
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  return [
    ['update data is an array', { type: 'appendUpdate', doc: d, data: [1, 2] }],
    ['update data is a string', { type: 'appendUpdate', doc: d, data: 'x' }],
    ['snapshot data is an ArrayBuffer', { type: 'putSnapshot', doc: d, data: new ArrayBuffer(2), replaces: 0 }],
    ['replaces is negative', { type: 'putSnapshot', doc: d, data: bytes(1), replaces: -1 }],
    ['replaces is fractional', { type: 'putSnapshot', doc: d, data: bytes(1), replaces: 0.5 }],
    ['doc id is empty', { type: 'appendUpdate', doc: '', data: bytes(1) }],
    ['meta key is a number', { type: 'putMeta', key: 1, value: 1 }],
    ['meta value is undefined', { type: 'putMeta', key: 'k', value: undefined }],
    ['meta value is NaN', { type: 'putMeta', key: 'k', value: Number.NaN }],
    ['meta value nests bytes', { type: 'putMeta', key: 'k', value: { b: bytes(1) } }],
    ['meta value is a Date', { type: 'putMeta', key: 'k', value: new Date(0) }],
    ['meta value is a function', { type: 'putMeta', key: 'k', value: () => 1 }],
    ['meta value is cyclic', { type: 'putMeta', key: 'k', value: cyclic }],
    ['meta value holds Infinity', { type: 'putMeta', key: 'k', value: [Number.POSITIVE_INFINITY] }],
    ['outbox item is a string', { type: 'enqueue', id: 'o', item: 'x' }],
    ['outbox id is empty', { type: 'enqueue', id: '', item: bytes(1) }],
    ['unknown write type', { type: 'truncate' }],
    ['write is null', null],
  ];
}

async function expectUntouched(s: Storage): Promise<void> {
  expect(await s.loadDoc(d)).toEqual({ snapshot: null, updates: [bytes(1)] });
  expect(await s.listMeta('')).toEqual([['m', 'before']]);
  expect(await s.outbox()).toEqual([{ id: 'o0', item: bytes(0) }]);
}

export function runStorageConformanceExtras(harness: StorageHarness, options: StorageConformanceOptions): void {
  it('STO-11 a commit containing any invalid write rejects (invalid_argument) and writes nothing', async () => {
    const s = await harness.open();
    await s.commit([
      { type: 'appendUpdate', doc: d, data: bytes(1) },
      { type: 'putMeta', key: 'm', value: 'before' },
      { type: 'enqueue', id: 'o0', item: bytes(0) },
    ]);
    const cases = invalidWrites();
    for (const [, bad] of cases) {
      const writes = [
        { type: 'appendUpdate', doc: d, data: bytes(2) },
        { type: 'putMeta', key: 'm', value: 'after' },
        { type: 'deleteDoc', doc: d },
        { type: 'enqueue', id: 'o1', item: bytes(1) },
        bad,
      ] as unknown as StorageWrite[];
      await expectRejects(s.commit(writes), 'invalid_argument');
      await expectUntouched(s);
    }
    console.log(`storage conformance: ${cases.length} invalid writes rejected atomically`);
  });

  it('STO-12 reads and writes are copies: mutating either side changes nothing stored', async () => {
    const s = await harness.open();
    const data = bytes(1, 2, 3);
    const json = { list: [1, 2], inner: { x: 'y' } };
    const item = bytes(7);
    const pending = s.commit([
      { type: 'appendUpdate', doc: d, data },
      { type: 'putSnapshot', doc: d, data, replaces: 0 },
      { type: 'putMeta', key: 'j', value: json },
      { type: 'putMeta', key: 'b', value: data },
      { type: 'enqueue', id: 'o', item },
    ]);
    data[0] = 99; // before the commit even resolved
    json.list.push(3);
    json.inner.x = 'z';
    item[0] = 99;
    await pending;
    const loaded = await s.loadDoc(d);
    expect(loaded).toEqual({ snapshot: bytes(1, 2, 3), updates: [bytes(1, 2, 3)] });
    loaded!.snapshot![0] = 50;
    loaded!.updates[0]![0] = 50;
    expect(await s.loadDoc(d)).toEqual({ snapshot: bytes(1, 2, 3), updates: [bytes(1, 2, 3)] });
    const readJson = (await s.getMeta('j')) as { list: number[] };
    expect(readJson).toEqual({ list: [1, 2], inner: { x: 'y' } });
    readJson.list.push(4);
    ((await s.getMeta('b')) as Uint8Array)[0] = 50;
    (await s.outbox())[0]!.item[0] = 50;
    expect(await s.getMeta('j')).toEqual({ list: [1, 2], inner: { x: 'y' } });
    expect(await s.getMeta('b')).toEqual(bytes(1, 2, 3));
    expect(await s.outbox()).toEqual([{ id: 'o', item: bytes(7) }]);
  });

  it('STO-13 a view into a larger buffer stores only its own bytes', async () => {
    const s = await harness.open();
    const big = new Uint8Array(64 * 1024).fill(5);
    big.set([1, 2, 3], 100);
    const view = big.subarray(100, 103);
    await s.commit([
      { type: 'appendUpdate', doc: d, data: view },
      { type: 'putMeta', key: 'v', value: view },
    ]);
    const loaded = await s.loadDoc(d);
    expect(loaded!.updates[0]).toEqual(bytes(1, 2, 3));
    expect(loaded!.updates[0]!.buffer.byteLength).toBeLessThan(1024);
    expect(((await s.getMeta('v')) as Uint8Array).buffer.byteLength).toBeLessThan(1024);
  });

  it('STO-14 large values (1 MiB) round-trip as updates, snapshots, meta and outbox items', async () => {
    const s = await harness.open();
    const big = new Uint8Array(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >>> 11)) & 0xff;
    await s.commit([
      { type: 'appendUpdate', doc: d, data: big },
      { type: 'putMeta', key: 'big', value: big },
      { type: 'enqueue', id: 'big', item: big },
    ]);
    await s.commit([{ type: 'putSnapshot', doc: d, data: big, replaces: 1 }]);
    const loaded = await s.loadDoc(d);
    expect(loaded!.updates).toEqual([]);
    expect(Buffer.from(loaded!.snapshot!).equals(Buffer.from(big))).toBe(true);
    expect(Buffer.from((await s.getMeta('big')) as Uint8Array).equals(Buffer.from(big))).toBe(true);
    expect(Buffer.from((await s.outbox())[0]!.item).equals(Buffer.from(big))).toBe(true);
  });

  it('STO-15 many documents: 2,000 docs in one commit, listed sorted and loaded individually', async () => {
    const s = await harness.open();
    const ids = Array.from({ length: 2000 }, (_, i) => `feed:${((i * 7919) % 2000).toString(16)}:a:0`);
    await s.commit(ids.map((id, i): StorageWrite => ({ type: 'appendUpdate', doc: docId(id), data: bytes(i & 0xff) })));
    const listed = await s.listDocs('feed:');
    expect(listed).toEqual([...new Set(ids)].sort());
    expect(await s.loadDoc(docId(ids[1234]!))).toEqual({ snapshot: null, updates: [bytes(1234 & 0xff)] });
    console.log(`storage conformance: ${listed.length} docs listed`);
  });

  it('STO-16 concurrent commits all apply, in call order', async () => {
    const s = await harness.open();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        s.commit([
          { type: 'appendUpdate', doc: d, data: bytes(i) },
          { type: 'enqueue', id: `o${i}`, item: bytes(i) },
        ]),
      ),
    );
    expect((await s.loadDoc(d))!.updates).toEqual(Array.from({ length: 50 }, (_, i) => bytes(i)));
    expect((await s.outbox()).map((o) => o.id)).toEqual(Array.from({ length: 50 }, (_, i) => `o${i}`));
  });

  it('STO-17 after close every call rejects with closed; close is idempotent', async () => {
    const s = await harness.open();
    await s.close();
    await s.close();
    await expectRejects(s.loadDoc(d), 'closed');
    await expectRejects(s.listDocs(''), 'closed');
    await expectRejects(s.getMeta('k'), 'closed');
    await expectRejects(s.listMeta(''), 'closed');
    await expectRejects(s.outbox(), 'closed');
    await expectRejects(s.commit([{ type: 'putMeta', key: 'k', value: 1 }]), 'closed');
  });

  if (options.reopen !== true) return;

  it('STO-18 reopening after close restores documents, meta and the outbox, and continues them', async () => {
    const key = harness.freshKey();
    const s1 = await harness.open(key);
    const e = docId('profile:b');
    await s1.commit([
      { type: 'appendUpdate', doc: d, data: bytes(1) },
      { type: 'appendUpdate', doc: d, data: bytes(2) },
      { type: 'putSnapshot', doc: d, data: bytes(9), replaces: 1 },
      { type: 'appendUpdate', doc: e, data: bytes(3) },
      { type: 'putMeta', key: 'json', value: { a: [1, { b: 'c' }] } },
      { type: 'putMeta', key: 'bytes', value: bytes(4, 5) },
      { type: 'enqueue', id: 'x', item: bytes(6) },
      { type: 'enqueue', id: 'y', item: bytes(7) },
    ]);
    await s1.close();
    const s2 = await harness.open(key);
    expect(await s2.listDocs('')).toEqual([e, d].sort());
    expect(await s2.loadDoc(d)).toEqual({ snapshot: bytes(9), updates: [bytes(2)] });
    expect(await s2.listMeta('')).toEqual([
      ['bytes', bytes(4, 5)],
      ['json', { a: [1, { b: 'c' }] }],
    ]);
    expect((await s2.outbox()).map((o) => o.id)).toEqual(['x', 'y']);
    await s2.commit([
      { type: 'dequeue', id: 'x' },
      { type: 'enqueue', id: 'x', item: bytes(8) },
      { type: 'enqueue', id: 'z', item: bytes(9) },
      { type: 'appendUpdate', doc: d, data: bytes(3) },
    ]);
    await s2.close();
    const s3 = await harness.open(key);
    expect((await s3.outbox()).map((o) => o.id)).toEqual(['y', 'x', 'z']);
    expect(await s3.loadDoc(d)).toEqual({ snapshot: bytes(9), updates: [bytes(2), bytes(3)] });
    await s3.commit([{ type: 'putSnapshot', doc: d, data: bytes(10), replaces: 2 }]);
    expect(await s3.loadDoc(d)).toEqual({ snapshot: bytes(10), updates: [] });
  });

  it('STO-19 a rejected commit leaves nothing behind after reopen either', async () => {
    const key = harness.freshKey();
    const s1 = await harness.open(key);
    await s1.commit([{ type: 'appendUpdate', doc: d, data: bytes(1) }]);
    await expectRejects(
      s1.commit([
        { type: 'appendUpdate', doc: d, data: bytes(2) },
        { type: 'putSnapshot', doc: d, data: bytes(3), replaces: 5 },
      ]),
      'conflict',
    );
    await s1.close();
    const s2 = await harness.open(key);
    expect(await s2.loadDoc(d)).toEqual({ snapshot: null, updates: [bytes(1)] });
  });
}
