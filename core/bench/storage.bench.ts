// Storage bench: commit throughput and document load, memory vs Dexie on fake-indexeddb.
// Run: pnpm exec tsx core/bench/storage.bench.ts  (writes the 'storage' section of docs/benchmarks.md)
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { DocId } from '../src/ids.js';
import type { Storage, StorageWrite } from '../src/ports/storage.js';
import { createDexieStorage } from '../src/storage/dexie/dexie-storage.js';
import { createMemoryStorage } from '../src/storage/memory/memory-storage.js';
import { writeBenchSection } from '../../scripts/bench-report.js';

const UPDATE_BYTES = 200;
const SINGLE_COMMITS = 1000;
const BATCHES = 100;
const BATCH_SIZE = 100;
const LOAD_UPDATES = 1000;
const LOAD_REPEATS = 30;

const doc = (i: number): DocId => `feed:c:a:${i}` as DocId;
const update = (i: number): Uint8Array => new Uint8Array(UPDATE_BYTES).fill(i & 0xff);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

interface Row {
  readonly impl: string;
  readonly single: number;
  readonly batched: number;
  readonly loadMs: number;
  readonly loadP95: number;
}

async function measure(impl: string, open: () => Promise<Storage>): Promise<Row> {
  const s = await open();
  // One update per commit, plus its outbox entry: what a send does.
  let t = performance.now();
  for (let i = 0; i < SINGLE_COMMITS; i++) {
    await s.commit([
      { type: 'appendUpdate', doc: doc(1), data: update(i) },
      { type: 'enqueue', id: `s${i}`, item: update(i) },
    ]);
  }
  const single = SINGLE_COMMITS / ((performance.now() - t) / 1000);
  // 100 updates per commit.
  t = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const writes: StorageWrite[] = [];
    for (let i = 0; i < BATCH_SIZE; i++) writes.push({ type: 'appendUpdate', doc: doc(2), data: update(i) });
    await s.commit(writes);
  }
  const batched = (BATCHES * BATCH_SIZE) / ((performance.now() - t) / 1000);
  // loadDoc of a document with a snapshot and 1,000 updates.
  await s.commit([{ type: 'putSnapshot', doc: doc(3), data: new Uint8Array(64 * 1024), replaces: 0 }]);
  await s.commit(Array.from({ length: LOAD_UPDATES }, (_, i): StorageWrite => ({ type: 'appendUpdate', doc: doc(3), data: update(i) })));
  const times: number[] = [];
  for (let r = 0; r < LOAD_REPEATS; r++) {
    t = performance.now();
    const loaded = await s.loadDoc(doc(3));
    times.push(performance.now() - t);
    if (loaded?.updates.length !== LOAD_UPDATES) throw new Error('bench: wrong update count');
  }
  await s.close();
  const sorted = [...times].sort((a, b) => a - b);
  return { impl, single, batched, loadMs: median(times), loadP95: sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN };
}

const rows = [
  await measure('memory', () => Promise.resolve(createMemoryStorage())),
  await measure('dexie on fake-indexeddb', () => createDexieStorage({ name: 'bench', indexedDB: new IDBFactory(), IDBKeyRange })),
];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const table = [
  '| storage | 1 update per commit (+ outbox entry) | 100 updates per commit | loadDoc, snapshot + 1,000 updates (median / p95) |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.impl} | ${fmt(r.single)} commits/s | ${fmt(r.batched)} updates/s | ${r.loadMs.toFixed(2)} ms / ${r.loadP95.toFixed(2)} ms |`),
].join('\n');
const markdown = `## Storage (core/bench/storage.bench.ts)

${UPDATE_BYTES}-byte updates. Every Dexie transaction is requested with durability \`'strict'\`, but
**fake-indexeddb is an in-memory JavaScript IndexedDB, not a browser's**: it never touches a disk,
so these figures show Kith's own per-commit overhead (validation, planning, Dexie), not fsync cost.
In a browser a strict commit waits for the flush; batch writes per commit under load.

${table}

Load average while measuring: ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ')} (1 / 5 / 15 min) — figures taken on a busy machine are lower bounds.`;
console.log(markdown);
writeBenchSection('storage', markdown);
