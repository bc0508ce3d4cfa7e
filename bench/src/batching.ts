// § batching of docs/benchmarks.md (issue 14 item 1, ADR 0017): the sustained one-sender
// workload with in-flight coalescing off (`BENCH_MAX_BATCH=1`: every change its own envelope, the
// wire as before BATCH-9) and on (the default), against y-websocket, interleaved.
//   pnpm --filter @kith/bench bench:batching        (BENCH_SUSTAINED, BENCH_LATENCY, BENCH_ROUNDS)
import { writeBenchSection } from '../../scripts/bench-report.js';
import { chatText, benchSizes } from './config.js';
import { kithSystem } from './kith/kith-system.js';
import { loadAverage, machineLine } from './machine.js';
import type { ChatSystem } from './pair.js';
import { percentile } from './stats.js';
import { yjsSystem } from './yjs/yjs-system.js';

interface Figures {
  readonly perS: number;
  readonly p50: number;
  readonly p99: number;
  /** Envelopes the sender pushed per 1,000 messages of the sustained run (Kith only). */
  readonly per1000: number | undefined;
}

const sizes = benchSizes();
const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function run(system: ChatSystem): Promise<Figures> {
  const pair = await system.open();
  try {
    let sent = 0;
    const send = async (label: string, i: number): Promise<void> => {
      await pair.send(chatText(label, i, sizes.messageBytes));
      sent++;
    };
    await send('warm-up', 0);
    await pair.shown.until(sent, 60_000, `${system.name}: warm-up`);
    const lat: number[] = [];
    for (let i = 0; i < sizes.latencySamples; i++) {
      const t0 = performance.now();
      await send('latency', i);
      await pair.shown.until(sent, 30_000, `${system.name}: latency ${i}`);
      lat.push(performance.now() - t0);
    }
    const pushed0 = pair.pushed?.();
    const t1 = performance.now();
    for (let i = 0; i < sizes.sustained; i++) await send('sustained', i);
    await pair.shown.until(sent, 900_000, `${system.name}: sustained`);
    const perS = sizes.sustained / ((performance.now() - t1) / 1000);
    const pushed1 = pair.pushed?.();
    const per1000 = pushed0 === undefined || pushed1 === undefined ? undefined : ((pushed1 - pushed0) / sizes.sustained) * 1000;
    return { perS, p50: percentile(lat, 50), p99: percentile(lat, 99), per1000 };
  } finally {
    await pair.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const variants = ['before (maxBatch 1)', 'after (coalescing)', 'y-websocket'] as const;
const results: Record<(typeof variants)[number], Figures[]> = { 'before (maxBatch 1)': [], 'after (coalescing)': [], 'y-websocket': [] };
const loadBefore = loadAverage();
log(`bench batching: ${JSON.stringify(sizes)}; load ${loadBefore}`);
for (let round = 1; round <= sizes.rounds; round++) {
  for (const v of variants) {
    if (v === 'before (maxBatch 1)') process.env['BENCH_MAX_BATCH'] = '1';
    else delete process.env['BENCH_MAX_BATCH'];
    const f = await run(v === 'y-websocket' ? yjsSystem : kithSystem);
    results[v].push(f);
    log(`  round ${round} ${v}: ${f.perS.toFixed(0)} msg/s, p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, envelopes/1,000 ${f.per1000?.toFixed(0) ?? '—'}`);
  }
}
const row = (v: (typeof variants)[number]): string => {
  const fs = results[v];
  const per = fs.map((f) => f.per1000).filter((x) => x !== undefined);
  const rounds = fs.map((f) => f.perS.toFixed(0)).join(', ');
  const peer = results['y-websocket'];
  const x = (a: number, b: number): string => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '—');
  const vsPeer = v === 'y-websocket' ? '1×' : `${x(median(fs.map((f) => f.perS)), median(peer.map((f) => f.perS)))} · p50 ${x(median(fs.map((f) => f.p50)), median(peer.map((f) => f.p50)))}`;
  return `| ${v} | ${median(fs.map((f) => f.perS)).toFixed(0)} (${rounds}) | ${median(fs.map((f) => f.p50)).toFixed(2)} / ${median(fs.map((f) => f.p99)).toFixed(2)} | ${per.length === 0 ? '—' : median(per).toFixed(0)} | ${vsPeer} |`;
};
const md = [
  '## § batching (issue 14 item 1, ADR 0017)',
  '',
  `One sender → one recipient (a direct chat; full client stacks: engine, Dexie on fake-indexeddb, sandbox, vault, sync client; relay child process with its default durability), ${sizes.sustained} messages each its own \`messages.send\` call, until the recipient shows all; send → shown one at a time over ${sizes.latencySamples} samples. Medians of ${sizes.rounds} interleaved round(s); "before" is the same build with \`maxBatch: 1\` (every change its own version 1 envelope, as before BATCH-9).`,
  '',
  '| variant | sustained msg/s, median (rounds) | p50 / p99 ms (one at a time) | envelopes per 1,000 messages (sustained) | ÷ y-websocket, same run: msg/s ↑ · p50 ↓ |',
  '|---|---|---|---|---|',
  ...variants.map(row),
  '',
  `Load average before / after: ${loadBefore} → ${loadAverage()} (2 cores shared with other work); ${machineLine()}.`,
].join('\n');
log(md);
writeBenchSection('batching', md);
process.exit(0);
