// Issue 18: a shared-document editing trace through the relay, Kith's y-websocket polyfill
// against plain y-websocket, interleaved → the `trace` section of docs/benchmarks.md.
//   pnpm --filter @kith/bench bench:trace           (full size: 10,000 characters, 3 rounds)
//   BENCH_QUICK=1 pnpm --filter @kith/bench bench:trace
//   BENCH_TRACE_PROFILE=DIR …   CPU profiles of the relay child (the bench process itself: run it with --cpu-prof)
import { mkdirSync } from 'node:fs';
import { writeBenchSection } from '../../../scripts/bench-report.js';
import { loadAverage, machineLine } from '../machine.js';
import { generateEditingTrace } from './editing-trace.js';
import { kithTraceSide } from './kith-trace-side.js';
import { OPS_PER_TURN, runTraceOnce, type TraceFigures } from './run-trace-once.js';
import { traceSizes } from './trace-config.js';
import { traceMarkdown } from './trace-report.js';
import { yjsTraceSide } from './yjs-trace-side.js';

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const sizes = traceSizes();
const started = performance.now();
const loadBefore = loadAverage();
const trace = generateEditingTrace(sizes.chars, sizes.seed);
log(`bench trace: ${trace.ops.length} edits → ${trace.final.length} characters, ${sizes.rounds} round(s); load ${loadBefore}`);
const profileDir = process.env['BENCH_TRACE_PROFILE'];
if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
const kith = kithTraceSide(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);

const results: Record<'kith' | 'yjs', TraceFigures[]> = { kith: [], yjs: [] };
for (let round = 1; round <= sizes.rounds; round++) {
  for (const [key, side] of [['kith', kith], ['yjs', yjsTraceSide]] as const) {
    const f = await runTraceOnce(side, trace);
    results[key].push(f);
    log(`  round ${round} ${side.name}: other side has it all after ${f.receivedMs.toFixed(0)} ms (sender loop ${f.appliedMs.toFixed(0)} ms); stored ${f.stored.primary} B / ${f.stored.secondary} B; load ${loadAverage()}`);
  }
}
const md = traceMarkdown({
  trace, seed: sizes.seed, rounds: sizes.rounds, opsPerTurn: OPS_PER_TURN, ...results,
  machine: machineLine(), loadBefore, loadAfter: loadAverage(), minutes: (performance.now() - started) / 60_000,
  profiles: profileDir === undefined ? undefined : `relay child under \`--cpu-prof\` (${profileDir})`,
});
log(md);
writeBenchSection('trace', md);
process.exit(0);
