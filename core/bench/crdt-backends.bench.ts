// CRDT backends: 100,000 chat messages on Yjs and Automerge through the CRDT port —
// appending (batched and one change per message), stored size, load, latest 50, heap — for a
// whole-history document and for the chunked layout of ADR 0001 (1,000 messages a chunk).
// Each case runs in its own child process so heap figures do not mix.
// Run: pnpm --filter @kith/core bench crdt   (writes the 'crdt-backends' section)
import * as A from '@automerge/automerge';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { createCrdtBackend } from '../src/crdt/index.js';
import { createUuidV7 } from '../src/ids.js';
import type { CrdtBackendName, CrdtDocument, CrdtMutation, Json } from '../src/ports/crdt.js';

const TOTAL = 100_000;
const BATCH = 1_000;
const CHUNK = 1_000;
const SINGLE = 1_000;
const PAGE = 50;

type Result = Record<string, number>;

/** A realistic message (~6 fields, ~200 B of JSON) with a time-ordered UUIDv7 id. */
function message(i: number): { id: string; value: Json } {
  const random = new Uint8Array(8);
  new DataView(random.buffer).setUint32(0, Math.imul(i + 1, 2654435761) >>> 0);
  const id = createUuidV7(1_790_000_000_000 + Math.floor(i / 4), i % 4, random);
  const author = `0190aaaa-bbbb-7ccc-8ddd-${String(i % 5).padStart(12, '0')}`;
  return {
    id,
    value: {
      id,
      author,
      at: 1_790_000_000_000 + i * 250,
      text: `message number ${i}: see you at the station at ${i % 24}:00, bring the tickets`,
      replyTo: i % 10 === 0 && i > 0 ? message(i - 1).id : null,
      forwarded: i % 50 === 0,
    },
  };
}

const setMsg = (i: number): CrdtMutation => {
  const m = message(i);
  return { op: 'set', collection: 'msg', key: m.id, value: m.value };
};

function heap(): { heap: number; external: number } {
  global.gc?.();
  global.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

function latest(doc: CrdtDocument): Json[] {
  const keys = doc.keys('msg');
  return keys.slice(-PAGE).map((k) => doc.get('msg', k)!);
}

function fill(doc: CrdtDocument, from: number, to: number, batch: number): void {
  for (let i = from; i < to; i += batch) {
    const list: CrdtMutation[] = [];
    for (let j = i; j < Math.min(to, i + batch); j++) list.push(setMsg(j));
    doc.change(list);
  }
}

function runWhole(name: CrdtBackendName): Result {
  const backend = createCrdtBackend(name);
  let t = performance.now();
  const saved = (() => {
    const doc = backend.create({ actor: new Uint8Array(16).fill(1) });
    fill(doc, 0, TOTAL, BATCH);
    return doc.save(); // the writer is dropped before the load is measured
  })();
  const appendMs = performance.now() - t;
  const before = heap();
  t = performance.now();
  const loaded = backend.load(saved, { actor: new Uint8Array(16).fill(2) });
  const loadMs = performance.now() - t;
  if (!loaded.ok) throw loaded.error;
  t = performance.now();
  const page = latest(loaded.value);
  const readMs = performance.now() - t;
  if (page.length !== PAGE) throw new Error('page size');
  t = performance.now();
  loaded.value.change([setMsg(TOTAL)]);
  const oneMoreMs = performance.now() - t;
  const after = heap();
  return {
    appendPerSec: TOTAL / (appendMs / 1000), bytes: saved.length, loadMs, readMs, oneMoreMs,
    heapMB: (after.heap - before.heap) / 2 ** 20, externalMB: (after.external - before.external) / 2 ** 20,
  };
}

function runSingle(name: CrdtBackendName): Result {
  const doc = createCrdtBackend(name).create({ actor: new Uint8Array(16).fill(3) });
  let bytes = 0;
  const t = performance.now();
  for (let i = 0; i < SINGLE; i++) bytes += doc.change([setMsg(i)])!.length;
  const ms = performance.now() - t;
  return { perSec: SINGLE / (ms / 1000), changeBytes: bytes / SINGLE, chunkBytes: doc.save().length };
}

function runChunked(name: CrdtBackendName): Result {
  const backend = createCrdtBackend(name);
  const saves: Uint8Array[] = [];
  const t0 = performance.now();
  for (let c = 0; c < TOTAL / CHUNK; c++) {
    const doc = backend.create({ actor: new Uint8Array(16).fill(4) });
    fill(doc, c * CHUNK, (c + 1) * CHUNK, BATCH / 10);
    saves.push(doc.save());
  }
  const appendMs = performance.now() - t0;
  const newest = saves[saves.length - 1]!;
  const before = heap();
  let t = performance.now();
  const loaded = backend.load(newest, { actor: new Uint8Array(16).fill(5) });
  const loadMs = performance.now() - t;
  if (!loaded.ok) throw loaded.error;
  t = performance.now();
  const page = latest(loaded.value);
  const readMs = performance.now() - t;
  if (page.length !== PAGE) throw new Error('page size');
  t = performance.now();
  loaded.value.change([setMsg(TOTAL)]);
  const oneMoreMs = performance.now() - t;
  const after = heap();
  return {
    appendPerSec: TOTAL / (appendMs / 1000), bytes: saves.reduce((n, s) => n + s.length, 0), chunkBytes: newest.length,
    loadMs, readMs, oneMoreMs,
    heapMB: (after.heap - before.heap) / 2 ** 20, externalMB: (after.external - before.external) / 2 ** 20,
  };
}

/** Automerge value encodings compared on raw Automerge: one JSON ImmutableString vs nested maps. */
function runEncoding(): Result {
  const n = 10_000;
  const out: Result = {};
  for (const mode of ['json', 'nested'] as const) {
    let doc = A.init<Record<string, unknown>>();
    let t = performance.now();
    for (let i = 0; i < n; i += 100) {
      doc = A.change(doc, { time: 0 }, (d) => {
        for (let j = i; j < i + 100; j++) {
          const m = message(j);
          if (mode === 'json') d[`msg/${m.id}`] = new A.ImmutableString(JSON.stringify(m.value));
          else {
            const v = m.value as Record<string, Json>;
            d[`msg/${m.id}`] = Object.fromEntries(
              Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? new A.ImmutableString(x) : x]),
            );
          }
        }
      });
    }
    out[`${mode}AppendPerSec`] = n / ((performance.now() - t) / 1000);
    const saved = A.save(doc);
    out[`${mode}Bytes`] = saved.length;
    t = performance.now();
    A.load(saved);
    out[`${mode}LoadMs`] = performance.now() - t;
  }
  return out;
}

const CASES: Record<string, () => Result> = {
  'yjs:whole': () => runWhole('yjs'),
  'automerge:whole': () => runWhole('automerge'),
  'yjs:single': () => runSingle('yjs'),
  'automerge:single': () => runSingle('automerge'),
  'yjs:chunked': () => runChunked('yjs'),
  'automerge:chunked': () => runChunked('automerge'),
  'automerge:encoding': runEncoding,
};

const only = process.argv.find((a) => a.startsWith('--case='))?.slice('--case='.length);
if (only !== undefined) {
  const run = CASES[only];
  if (run === undefined) throw new Error(`unknown case ${only}`);
  process.stdout.write(`RESULT ${JSON.stringify(run())}\n`);
} else {
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, Result> = {};
  const startLoad = loadavg();
  const started = performance.now();
  for (const name of Object.keys(CASES)) {
    const t = performance.now();
    const child = spawnSync(process.execPath, ['--expose-gc', '--conditions=@kith/source', '--import', 'tsx', self, `--case=${name}`], {
      encoding: 'utf8', timeout: 900_000, maxBuffer: 2 ** 24,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (line === undefined) throw new Error(`case ${name} failed: ${child.stderr.slice(-2000)}`);
    results[name] = JSON.parse(line.slice('RESULT '.length)) as Result;
    console.log(`${name} (${((performance.now() - t) / 1000).toFixed(1)} s):`, results[name]);
  }
  const r = (k: string): Result => results[k]!;
  const f = (n: number | undefined, digits = 0): string =>
    n === undefined ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const mb = (b: number | undefined): string => (b === undefined ? '–' : `${(b / 2 ** 20).toFixed(1)} MB`);
  const row = (label: string, y: string, a: string): string => `| ${label} | ${y} | ${a} |`;
  const md = [
    '## CRDT backends through the port (core/bench/crdt-backends.bench.ts)',
    '',
    `100,000 messages (~6 fields, ~${JSON.stringify(message(7).value).length} B of JSON each, UUIDv7 keys) in collection \`msg\`, through the CRDT port.`,
    'Whole = one document with the whole history; chunked = ADR 0001 feed chunks of 1,000 messages (only the newest is loaded to show the latest page).',
    'Heap = JS heap growth after gc while the loaded document is held; external = ArrayBuffers + wasm memory growth (Automerge lives in wasm).',
    '',
    '| | Yjs | Automerge |',
    '|---|---|---|',
    row('**whole** append 100k, batches of 1,000 (msg/s)', f(r('yjs:whole')['appendPerSec']), f(r('automerge:whole')['appendPerSec'])),
    row('whole: stored size (save)', mb(r('yjs:whole')['bytes']), mb(r('automerge:whole')['bytes'])),
    row('whole: load (ms)', f(r('yjs:whole')['loadMs']), f(r('automerge:whole')['loadMs'])),
    row('whole: latest 50 after load (ms)', f(r('yjs:whole')['readMs'], 1), f(r('automerge:whole')['readMs'], 1)),
    row('whole: one more message after load (ms)', f(r('yjs:whole')['oneMoreMs'], 1), f(r('automerge:whole')['oneMoreMs'], 1)),
    row('whole: heap / external after load', `${f(r('yjs:whole')['heapMB'], 1)} / ${f(r('yjs:whole')['externalMB'], 1)} MB`, `${f(r('automerge:whole')['heapMB'], 1)} / ${f(r('automerge:whole')['externalMB'], 1)} MB`),
    row('**one change per message**, 1,000 into a fresh chunk (msg/s)', f(r('yjs:single')['perSec']), f(r('automerge:single')['perSec'])),
    row('one change per message: bytes per change', f(r('yjs:single')['changeBytes']), f(r('automerge:single')['changeBytes'])),
    row('**chunked** append 100k, batches of 100 (msg/s)', f(r('yjs:chunked')['appendPerSec']), f(r('automerge:chunked')['appendPerSec'])),
    row('chunked: stored size, all 100 chunks', mb(r('yjs:chunked')['bytes']), mb(r('automerge:chunked')['bytes'])),
    row('chunked: newest chunk size', `${f(r('yjs:chunked')['chunkBytes'] !== undefined ? r('yjs:chunked')['chunkBytes']! / 1024 : undefined, 0)} KB`, `${f(r('automerge:chunked')['chunkBytes'] !== undefined ? r('automerge:chunked')['chunkBytes']! / 1024 : undefined, 0)} KB`),
    row('chunked: load newest chunk (ms)', f(r('yjs:chunked')['loadMs'], 1), f(r('automerge:chunked')['loadMs'], 1)),
    row('chunked: latest 50 after load (ms)', f(r('yjs:chunked')['readMs'], 2), f(r('automerge:chunked')['readMs'], 2)),
    row('chunked: one more message (ms)', f(r('yjs:chunked')['oneMoreMs'], 2), f(r('automerge:chunked')['oneMoreMs'], 2)),
    row('chunked: heap / external after load', `${f(r('yjs:chunked')['heapMB'], 1)} / ${f(r('yjs:chunked')['externalMB'], 1)} MB`, `${f(r('automerge:chunked')['heapMB'], 1)} / ${f(r('automerge:chunked')['externalMB'], 1)} MB`),
    '',
    'Automerge value encoding (raw Automerge, 10,000 messages in batches of 100):',
    '',
    '| encoding | append (msg/s) | saved | load (ms) |',
    '|---|---|---|---|',
    `| one \`ImmutableString\` of JSON per message (chosen) | ${f(r('automerge:encoding')['jsonAppendPerSec'])} | ${mb(r('automerge:encoding')['jsonBytes'])} | ${f(r('automerge:encoding')['jsonLoadMs'])} |`,
    `| nested map, strings as \`ImmutableString\` | ${f(r('automerge:encoding')['nestedAppendPerSec'])} | ${mb(r('automerge:encoding')['nestedBytes'])} | ${f(r('automerge:encoding')['nestedLoadMs'])} |`,
    '',
    `_Load average at start: ${startLoad.map((x) => x.toFixed(1)).join(' / ')}; total ${((performance.now() - started) / 1000).toFixed(0)} s. On a busy machine the absolute figures inflate; the ratios hold._`,
  ].join('\n');
  writeBenchSection('crdt-backends', md);
  console.log(md);
}
