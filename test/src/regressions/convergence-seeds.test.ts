import { describe, expect, it } from 'vitest';
import { runSeed } from '../convergence/run-seed.js';

/**
 * Seeds that once failed the convergence suite, replayed with the steps they failed with. Add a
 * line when a seed fails: `[seed, backend, steps, what went wrong]`.
 *
 * Both entries below were oracle bugs, not engine bugs (a direct conversation that only one side
 * opened, with no message, is not listed by the other side — the oracle wrongly demanded it);
 * they stay to pin that the oracle accepts it. They were recorded before the suite started
 * seeding a lossy link at the start of half the runs, so they replay the current generator.
 */
const SEEDS: ReadonlyArray<readonly [string, 'yjs' | 'automerge', number, string]> = [
  ['yjs-2', 'yjs', 8, 'empty direct conversation opened by one side only (oracle)'],
  ['automerge-1', 'automerge', 8, 'empty direct conversations after a kill in flight (oracle)'],
];

describe('convergence regressions (named seeds)', () => {
  for (const [seed, backend, steps, why] of SEEDS) {
    it(`${seed} (${backend}, ${steps} steps): ${why}`, async () => {
      const r = await runSeed(seed, backend, steps);
      if (r.problems.length > 0) console.log(`SEED=${seed}\n${r.problems.join('\n')}\n${r.log}`);
      expect(r.problems).toEqual([]);
    });
  }
});
