import { describe, expect, it } from 'vitest';
import { runSuite } from './suite.js';

// CI: 100 seeds of 10 steps, 5 peers, Automerge. Longer: FUZZ_BUDGET_MS=3600000 (see docs/reliability.md).
describe('convergence end to end (Automerge): 5 peers, Dexie, encryption, in-process relay, faults', () => {
  it('every seed converges; nothing acknowledged is lost or duplicated', async () => {
    const t = await runSuite({ label: 'automerge', backend: 'automerge', minSeeds: Number(process.env['CONVERGENCE_SEEDS'] ?? 100), steps: 10 });
    expect(t.divergent + t.lost + t.duplicated + t.reordered + t.regressions + t.restartMismatch + t.freshMismatch + t.outboxLeft).toBe(0);
    expect(t.seeds).toBeGreaterThan(0);
  }, 600_000);
});
