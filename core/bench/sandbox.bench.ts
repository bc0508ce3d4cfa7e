// Decode-sandbox hosts on Node: the child-process host (recommended, ADR 0010) against the
// worker_threads host — spawn time (spawn → ready, i.e. yjs loaded) and the round trip of one
// check through createDecodeSandbox (valid update, one at a time and 200 in flight).
// Run: pnpm exec tsx core/bench/sandbox.bench.ts  (writes the 'sandbox' section of docs/benchmarks.md)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { parseDocId, parseUserId } from '../src/ids.js';
import { createSystemClock } from '../src/platform/system-clock.js';
import { createDecodeSandbox } from '../src/sandbox/decode-sandbox.js';
import { createNodeProcessHost } from '../src/sandbox/node/node-process-host.js';
import { createNodeWorkerHost } from '../src/sandbox/node/node-worker-host.js';
import type { SandboxHost } from '../src/sandbox/sandbox-protocol.js';

const author = parseUserId('0190a1b2-0000-8000-8000-00000000000a');
const doc = parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-8000-8000-00000000000a:0');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;

/** One small message update per check (a fresh client each, as from many authors). */
function messageUpdate(i: number): Uint8Array {
  const d = new Y.Doc();
  d.getMap('msg').set(`m${i}`, { text: `message ${i}`, at: 1_700_000_000_000 + i });
  return Y.encodeStateAsUpdate(d);
}
const big = ((): Uint8Array => {
  const d = new Y.Doc();
  d.getMap('msg').set('big', 'x'.repeat(1024 * 1024));
  return Y.encodeStateAsUpdate(d);
})();

async function spawnMs(host: SandboxHost, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const w = host.spawn();
    await new Promise<void>((resolve) => w.onMessage((m) => 'ready' in m && resolve()));
    out.push(performance.now() - t);
    w.terminate();
  }
  return out;
}

async function measure(name: string, host: SandboxHost): Promise<string> {
  const spawns = await spawnMs(host, 8);
  const sandbox = createDecodeSandbox({ host, clock: createSystemClock(), budgetMs: 10_000 });
  const updates = Array.from({ length: 1200 }, (_, i) => messageUpdate(i));
  for (const u of updates.slice(0, 100)) await sandbox.check(doc, author, u); // warm up
  const one: number[] = [];
  for (const u of updates.slice(100, 1000)) {
    const t = performance.now();
    const r = await sandbox.check(doc, author, u);
    one.push(performance.now() - t);
    if (!r.ok) throw new Error(`valid update refused: ${r.error.code}`);
  }
  let t = performance.now();
  await Promise.all(updates.slice(1000).map((u) => sandbox.check(doc, author, u)));
  const burstMs = performance.now() - t;
  const bigMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    sandbox.forget(doc);
    t = performance.now();
    await sandbox.check(doc, author, big);
    bigMs.push(performance.now() - t);
  }
  sandbox.close();
  const us = (ms: number): string => `${Math.round(ms * 1000)} µs`;
  return `| ${name} | ${median(spawns).toFixed(0)} ms (max ${Math.max(...spawns).toFixed(0)}) | ${us(median(one))} / ${us(p95(one))} | ${Math.round((200 / burstMs) * 1000).toLocaleString('en-US')} /s | ${median(bigMs).toFixed(1)} ms |`;
}

const rows = [await measure('child process (`createNodeProcessHost`)', createNodeProcessHost()), await measure('worker_threads (`createNodeWorkerHost`)', createNodeWorkerHost())];
const md = `## Decode sandbox hosts (core/bench/sandbox.bench.ts)

Cost of one check through \`createDecodeSandbox\` (SBX-1): post the update, the worker applies it to
its mirror, answer. Small updates are one chat message each (~60 B); "1 MiB" is a 1 MiB string
insert (serialization both ways plus a fresh mirror). Spawn is until the worker reports ready
(Yjs loaded) — paid once, and again after every kill (timeout or crash).

| host | spawn → ready (median of 8) | check round trip, one at a time (median / p95) | 200 in flight | 1 MiB update |
|---|---|---|---|---|
${rows.join('\n')}

The child process costs a Node start per spawn and an IPC hop (V8 serialization over a pipe) per
check; both are small against the 1 s decode budget, and the worker_threads host is not
out-of-memory safe (ADR 0010). Checks are serial (one worker, one update at a time), so "200 in
flight" measures the same path as one at a time without the await gaps. Under tsx a worker thread
inherits the parent's loader flags while the child process gets only \`--max-old-space-size\`,
which is why its spawn can be the faster one here.

Load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min).`;
writeBenchSection('sandbox', md);
console.log(md);
process.exit(0);
