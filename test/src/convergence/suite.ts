import { fuzzBudgetMs } from '@kith/core/testing';
import type { BackendName } from '../harness/e2e-world.js';
import { runSeed, type SeedResult } from './run-seed.js';

export interface SuiteOptions {
  readonly label: string;
  readonly backend: BackendName;
  /** Seeds always run (CI); more run while `FUZZ_BUDGET_MS` lasts. */
  readonly minSeeds: number;
  /** Steps per seed (small, so many seeds fit). */
  readonly steps: number;
  /** Reopen every peer from its database at the end (else one per seed). */
  readonly restartAll?: boolean;
}

export interface SuiteTotals {
  seeds: number;
  ops: number;
  faults: number;
  frameFaults: number;
  acked: number;
  unknown: number;
  divergent: number;
  lost: number;
  duplicated: number;
  reordered: number;
  regressions: number;
  restartMismatch: number;
  freshMismatch: number;
  outboxLeft: number;
  staleViews: number;
  ms: number;
  cpuMs: number;
}

export const emptyTotals = (): SuiteTotals => ({
  seeds: 0,
  ops: 0,
  faults: 0,
  frameFaults: 0,
  acked: 0,
  unknown: 0,
  divergent: 0,
  lost: 0,
  duplicated: 0,
  reordered: 0,
  regressions: 0,
  restartMismatch: 0,
  freshMismatch: 0,
  outboxLeft: 0,
  staleViews: 0,
  ms: 0,
  cpuMs: 0,
});

function add(t: SuiteTotals, r: SeedResult): void {
  const h = r.report.history;
  t.seeds++;
  t.ops += r.ops;
  t.faults += r.faults;
  t.frameFaults += r.frameFaults;
  t.acked += h.acked;
  t.unknown += h.unknown;
  t.divergent += r.report.divergent.length;
  t.lost += h.lost.length;
  t.duplicated += h.duplicated.length;
  t.reordered += h.reordered.length;
  t.regressions += h.regressions.length;
  t.restartMismatch += r.report.restartMismatch.length;
  t.freshMismatch += r.report.freshMismatch.length;
  t.outboxLeft += r.report.outboxLeft;
  t.staleViews += r.report.staleViews;
}

export function summaryLine(label: string, t: SuiteTotals): string {
  return (
    `${label}: seeds ${t.seeds}, operations ${t.ops}, faults injected ${t.faults} steps + ${t.frameFaults} frames, ` +
    `acknowledged ${t.acked} (unknown outcome ${t.unknown}); oracles: divergent ${t.divergent}, lost ${t.lost}, duplicated ${t.duplicated}, ` +
    `reordered ${t.reordered}, regressions ${t.regressions}, restart mismatches ${t.restartMismatch}, fresh-device mismatches ${t.freshMismatch}, ` +
    `unacknowledged left ${t.outboxLeft}; removed members' stale views ${t.staleViews}; ${(t.ms / 1000).toFixed(1)} s wall, ${(t.cpuMs / 1000).toFixed(1)} s CPU`
  );
}

/**
 * Runs seeds `<label>-0`, `<label>-1`, … (or only `SEED` when set: a replay) and returns the
 * totals; throws on the first seed with a problem, with its seed, operation log and trace.
 */
export async function runSuite(o: SuiteOptions): Promise<SuiteTotals> {
  const replay = process.env['SEED'];
  const t = emptyTotals();
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const stamp = (): void => {
    t.ms = performance.now() - start;
    const c = process.cpuUsage(cpu0);
    t.cpuMs = (c.user + c.system) / 1000;
  };
  const deadline = start + fuzzBudgetMs(0);
  for (let i = 0; ; i++) {
    if (replay !== undefined && replay !== '' && i > 0) break;
    if ((replay === undefined || replay === '') && i >= o.minSeeds && performance.now() >= deadline) break;
    const seed = replay !== undefined && replay !== '' ? replay : `${o.label}-${i}`;
    const r = await runSeed(seed, o.backend, o.steps, 0.35, o.restartAll ?? false);
    add(t, r);
    if (r.problems.length > 0) {
      stamp();
      console.log(summaryLine(o.label, t));
      throw new Error(
        `convergence failed: seed=${seed} backend=${o.backend} steps=${o.steps}\nreplay: SEED=${seed} CONVERGENCE_STEPS=${o.steps} pnpm exec vitest run test/src/convergence/convergence-${o.backend}.test.ts\n` +
          `problems:\n${r.problems.join('\n')}\n${r.log}`,
      );
    }
  }
  stamp();
  console.log(summaryLine(o.label, t));
  return t;
}
