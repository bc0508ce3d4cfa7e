import { describe, expect, it } from 'vitest';
import { fuzzBudgetMs } from '@kith/core/testing';
import { missingKinds, runSuite, suiteOptionsFromEnv } from './suite.js';

// CI (SEED=1): seeds yjs-1 … yjs-200, 40 steps each, 5 peers, Yjs. Knobs (docs/reliability.md):
// SEED (first seed), SEEDS (how many), CONVERGENCE_STEPS, CONVERGENCE_RESTART_ALL=1, FUZZ_BUDGET_MS
// (more seeds while it lasts). A failing seed prints its replay command: SEED=<n> SEEDS=1 ….
describe('convergence end to end (Yjs): 5 peers, Dexie, encryption, in-process relay, faults', () => {
  it('every seed converges; nothing acknowledged is lost or duplicated', async () => {
    const t = await runSuite(suiteOptionsFromEnv('yjs'));
    expect(t.failedSeeds, t.firstFailure).toEqual([]);
    expect(t.divergent + t.lost + t.duplicated + t.reordered + t.regressions + t.restartMismatch + t.freshMismatch + t.outboxLeft + t.docDivergent + t.docLost + t.docLeaked + t.docStuck).toBe(0);
    expect(t.seeds).toBeGreaterThan(0);
    // Every domain step of §1 and fault of §4 really happened (a long enough run only).
    if (t.seeds >= 100) expect(missingKinds(t)).toEqual([]);
  }, fuzzBudgetMs(0) + 900_000);
});
