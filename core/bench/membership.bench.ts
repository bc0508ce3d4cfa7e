// Membership log bench: 10,000 ops built, received in order, in random order and in reverse,
// plus the cost of one late op that sorts near the start (a full refold).
// Run: pnpm exec tsx core/bench/membership.bench.ts  (writes the 'membership' section of docs/benchmarks.md)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { UserId } from '../src/ids.js';
import { createMembershipLog, type MembershipLog } from '../src/model/membership/membership-log.js';
import { craft, createPrng, CREATED_AT, GROUP, user } from '../src/model/membership/membership-fixtures.js';
import { writeBenchSection } from '../../scripts/bench-report.js';

const OPS = 10_000;
const ADMINS = [1, 2, 3, 4].map(user);
const SYNC_EVERY = 25;

interface Sent {
  bytes: Uint8Array;
  author: UserId;
}

/** Four admins on their own replicas, adding and removing users, syncing every few ops. */
function generate(): Sent[] {
  const rng = createPrng(42);
  const replicas = ADMINS.map(() => createMembershipLog(GROUP));
  const sent: Sent[] = [];
  const cursor = ADMINS.map(() => 0);
  const first = replicas[0]!.create(ADMINS[0]!, { type: 'create', name: 'bench', description: '', icon: null, members: ADMINS.slice(1).map((u) => ({ user: u, role: 'admin' as const })) }, CREATED_AT);
  sent.push({ bytes: first.bytes, author: ADMINS[0]! });
  let at = CREATED_AT;
  while (sent.length < OPS) {
    const i = rng.int(ADMINS.length);
    const log = replicas[i]!;
    if (rng.next() < 1 / SYNC_EVERY) {
      for (; cursor[i]! < sent.length; cursor[i]!++) log.receive(sent[cursor[i]!]!.bytes, sent[cursor[i]!]!.author);
      continue;
    }
    const target = user(100 + rng.int(900));
    for (const body of [{ type: 'add', user: target, role: 'member' }, { type: 'remove', user: target, cutoff: {} }] as const) {
      try {
        const made = log.create(ADMINS[i]!, body, ++at);
        sent.push({ bytes: made.bytes, author: ADMINS[i]! });
        break;
      } catch {
        // refused on this replica's view (already a member / not a member): try the other
      }
    }
  }
  return sent;
}

function receiveAll(ops: readonly Sent[]): { ms: number; log: MembershipLog } {
  const log = createMembershipLog(GROUP, { maxPending: OPS });
  const t = performance.now();
  for (const s of ops) {
    const r = log.receive(s.bytes, s.author);
    if (!r.ok) throw r.error;
  }
  return { ms: performance.now() - t, log };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

const tGen = performance.now();
const ops = generate();
const genMs = performance.now() - tGen;

const inOrderRef = receiveAll(ops);
const canonical = inOrderRef.log.allOps().map((bytes, i) => ({ bytes, author: inOrderRef.log.history()[i]!.op.author }));
const rng = createPrng(7);
const shuffled = [...ops];
for (let i = shuffled.length - 1; i > 0; i--) {
  const k = rng.int(i + 1);
  [shuffled[i], shuffled[k]] = [shuffled[k]!, shuffled[i]!];
}

const runs = { canonical: [] as number[], arrival: [] as number[], random: [] as number[], reverse: [] as number[] };
let heapMb = 0;
for (let rep = 0; rep < 3; rep++) {
  runs.canonical.push(receiveAll(canonical).ms);
  runs.arrival.push(receiveAll(ops).ms);
  runs.random.push(receiveAll(shuffled).ms);
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const r = receiveAll([...canonical].reverse());
  runs.reverse.push(r.ms);
  heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  const states = [r.log.state(), inOrderRef.log.state()].map((s) => JSON.stringify([[...s.members.keys()].sort(), s.heads, s.removals]));
  if (states[0] !== states[1]) throw new Error('orders disagree');
}

// One late op sorting near the start: an admin's op whose parent is the genesis.
const late: number[] = [];
const genesis = inOrderRef.log.history()[0]!.hash;
for (let rep = 0; rep < 5; rep++) {
  const { log } = receiveAll(canonical);
  const op = craft({ author: ADMINS[1]!, parents: [genesis], lamport: 2, at: CREATED_AT + rep, body: { type: 'info', name: `late ${rep}` } });
  const t = performance.now();
  const r = log.receive(op.bytes, ADMINS[1]!);
  late.push(performance.now() - t);
  if (!r.ok) throw r.error;
}

const final = inOrderRef.log.state();
const hist = inOrderRef.log.history();
const rate = (ms: number): string => `${Math.round(OPS / (ms / 1000)).toLocaleString('en-US')} ops/s (${ms.toFixed(0)} ms)`;
const md = `## Membership log (core/bench/membership.bench.ts)

${OPS.toLocaleString('en-US')} ops by 4 admins on their own replicas (syncing every ~${SYNC_EVERY} ops, so many ops are
concurrent): ${hist.filter((h) => h.effective).length.toLocaleString('en-US')} effective, ${hist.filter((h) => !h.effective).length.toLocaleString('en-US')} ineffective; ${final.members.size} members at the end,
${final.removals.toLocaleString('en-US')} removals. Each receive decodes, validates, hashes (BLAKE2b in JS) and folds. Median of 3.

| a fresh replica receives the ${OPS.toLocaleString('en-US')} ops… | throughput |
|---|---|
| in canonical order (every op extends the end: incremental fold) | ${rate(median(runs.canonical))} |
| in arrival order of the run (concurrent ops arrive late: partial refolds) | ${rate(median(runs.arrival))} |
| in a random order (pending until parents arrive, then batch insert) | ${rate(median(runs.random))} |
| in reverse order (all pending until the genesis arrives last) | ${rate(median(runs.reverse))} |

- Building the ops on 4 replicas with \`create()\` (plus their syncing): ${(genMs / 1000).toFixed(1)} s.
- One late op that sorts at position 1 of ${OPS.toLocaleString('en-US')} (a full refold): median ${median(late).toFixed(1)} ms.
- Heap growth for a replica holding ${OPS.toLocaleString('en-US')} ops: ~${heapMb.toFixed(0)} MiB (ops, their bytes, and the fold's undo journal).

Load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min) — figures taken on a busy machine are lower bounds.`;
writeBenchSection('membership', md);
console.log(md);
