// Fan-out only, side by side (issue 14 acceptance "Relay fan-out (100 clients)"): the workload of
// bench/src/fanout (100 subscribers, 4 senders × 250 signed 200-byte envelopes, relay child with
// its default durability) against @y/websocket-server and a naive `ws` broadcast, interleaved.
//   node --conditions=@kith/source --import tsx relay/bench/fanout-peers.ts [rounds]
// "kith-binary" is the same workload with binary hot frames (RLY-39..44, relay/bench/binary-fanout.ts).
// BENCH_PROFILE=dir passes --cpu-prof to the Kith relay child (one .cpuprofile per round).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { kithFanoutOn } from '../../bench/src/fanout/kith-fanout.js';
import { peerFanoutTarget } from '../../bench/src/fanout/peer-fanout.js';
import { runFanout, type FanoutTarget } from '../../bench/src/fanout/fanout.js';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { startChildRelay } from '../src/server/child-relay.js';
import { kithBinaryFanoutOn } from './binary-fanout.js';

const rounds = Number(process.argv[2] ?? 3);
const subs = Number(process.env['BENCH_FANOUT_SUBSCRIBERS'] ?? 100);
const senders = Number(process.env['BENCH_FANOUT_SENDERS'] ?? 4);
const per = Number(process.env['BENCH_FANOUT_PER_SENDER'] ?? 250);
const bytes = 200;
const profileDir = process.env['BENCH_PROFILE'];
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' / ');
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');

async function kithTarget(binary: boolean): Promise<FanoutTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kith-fanout-'));
  const relay = await startChildRelay(dataDir, { KITH_CONN_RATE: '0', KITH_ACCOUNT_RATE: '0' }, profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const on = binary ? (stop: () => Promise<void>) => kithBinaryFanoutOn(relay.url, senders, bytes, stop) : (stop: () => Promise<void>) => kithFanoutOn([relay.url], senders, bytes, stop);
  return on(async () => {
    if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill('SIGTERM');
    await relay.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });
}

const results: Record<string, { updates: number; deliveries: number }[]> = { kith: [], 'kith-binary': [], yjs: [], naive: [] };
process.stdout.write(`fan-out ${subs} subscribers, ${senders} senders × ${per}; load ${load()}\n`);
for (let r = 1; r <= rounds; r++) {
  for (const [name, target] of [
    ['kith', () => kithTarget(false)],
    ['kith-binary', () => kithTarget(true)],
    ['yjs', () => peerFanoutTarget('y-websocket', bytes)],
    ['naive', () => peerFanoutTarget('naive', bytes)],
  ] as const) {
    const f = await runFanout(await target(), subs, senders, per);
    const s = f.ms / 1000;
    results[name]!.push({ updates: f.updates / s, deliveries: f.deliveries / s });
    process.stdout.write(`round ${r} ${name}: ${(f.updates / s).toFixed(0)} updates/s, ${(f.deliveries / s).toFixed(0)} deliveries/s\n`);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const m = (name: string, k: 'updates' | 'deliveries'): number => median(results[name]!.map((x) => x[k]));
for (const name of ['kith', 'kith-binary', 'yjs', 'naive']) process.stdout.write(`median ${name}: ${m(name, 'updates').toFixed(0)} updates/s, ${m(name, 'deliveries').toFixed(0)} deliveries/s\n`);
for (const k of ['kith', 'kith-binary']) process.stdout.write(`${k} / yjs updates ${(m(k, 'updates') / m('yjs', 'updates')).toFixed(2)}×, ${k} / naive deliveries ${(m(k, 'deliveries') / m('naive', 'deliveries')).toFixed(2)}×\n`);
process.stdout.write(`load ${load()}\n`);
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const rows = ['kith', 'kith-binary', 'yjs', 'naive'].map((k) => {
  const label = { kith: 'Kith relay, JSON frames', 'kith-binary': 'Kith relay, binary frames (RLY-39..44)', yjs: '`@y/websocket-server`', naive: 'naive `ws` broadcast' }[k]!;
  const ratios = k.startsWith('kith') ? `${(m(k, 'updates') / m('yjs', 'updates')).toFixed(2)}× | ${(m(k, 'deliveries') / m('naive', 'deliveries')).toFixed(2)}×` : '— | —';
  const per = results[k]!.map((x) => fmt(x.updates)).join(', ');
  return `| ${label} | ${fmt(m(k, 'updates'))} | ${fmt(m(k, 'deliveries'))} | ${ratios} | ${per} |`;
});
if (process.env['BENCH_WRITE'] === '1')
  writeBenchSection(
    'relay-fanout',
    `## Relay fan-out side by side (\`relay/bench/fanout-peers.ts\`)

The fan-out workload of bench/src/fanout (${subs} subscribers, ${senders} senders × ${per} updates of ${bytes} B; Kith: validly signed
envelopes, each verified, stored durably — SQLite FULL, relay child process — and acked before it is forwarded; the peers store
nothing and check nothing), ${rounds} interleaved rounds, medians. Issue 14 asks ≥ 1.5× \`@y/websocket-server\`'s updates/s and
≥ 1.0× the naive broadcast's deliveries/s. Load average (1 / 5 / 15 min) ${loadBefore} before, ${load()} after (2 cores shared with other work).

| server | updates/s | deliveries/s | × y-websocket updates/s | × naive deliveries/s | updates/s per round |
|---|---:|---:|---:|---:|---|
${rows.join('\n')}`,
  );
process.exit(0);
