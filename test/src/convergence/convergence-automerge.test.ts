import { describe, expect, it } from 'vitest';
import { fuzzBudgetMs } from '@kith/core/testing';
import { runSuite } from './suite.js';

// CI: 25 seeds of 10 steps (CONVERGENCE_SEEDS=100 for the 200-seed acceptance run), 5 peers, Automerge. Long runs (docs/reliability.md): FUZZ_BUDGET_MS, CONVERGENCE_STEPS,
// CONVERGENCE_RESTART_ALL=1, CONVERGENCE_SEEDS; SEED=<seed> replays one seed.
describe('convergence end to end (Automerge): 5 peers, Dexie, encryption, in-process relay, faults', () => {
  it('every seed converges; nothing acknowledged is lost or duplicated', async () => {
    const t = await runSuite({ label: 'automerge', backend: 'automerge', minSeeds: Number(process.env['CONVERGENCE_SEEDS'] ?? 25), steps: Number(process.env['CONVERGENCE_STEPS'] ?? 10), restartAll: process.env['CONVERGENCE_RESTART_ALL'] === '1' });
    expect(t.divergent + t.lost + t.duplicated + t.reordered + t.regressions + t.restartMismatch + t.freshMismatch + t.outboxLeft).toBe(0);
    expect(t.seeds).toBeGreaterThan(0);
  }, fuzzBudgetMs(0) + 600_000);
});
