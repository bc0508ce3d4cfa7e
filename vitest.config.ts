import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { CI_FUZZ_BUDGET_MS, DEFAULT_FUZZ_BUDGET_MS } from './core/src/testing/fuzz-env.js';

// Two projects (docs/testing.md):
// - `fast` (`pnpm test`): unit and conformance tests of core and relay (and the jsdom tests of
//   react), in-process only, with a short fuzz budget unless FUZZ_BUDGET_MS says otherwise.
// - `slow`: what `fast` leaves out — relays in child processes, long seeded convergence runs,
//   the cross-package suites of test/ and the browser suites of web-demo/tests (Debian Chromium
//   through playwright-core). `pnpm test:all` (scripts/test-all.sh) runs both projects.
// Seeded fuzz suites read their budget from FUZZ_BUDGET_MS; unset, it is seconds in CI (`CI` set)
// and minutes by hand (core/src/testing/fuzz-env.ts) — except in `fast`, which stays short. The
// test timeout grows with the budget, so a long budget never times a test out.
const FAST_FUZZ_BUDGET_MS = 500;

// `pnpm test:all` (KITH_TEST_ALL=1) gives the fast project the full budget too.
const fromEnv = process.env['FUZZ_BUDGET_MS'];
const slowBudget = fromEnv ?? String(process.env['CI'] ? CI_FUZZ_BUDGET_MS : DEFAULT_FUZZ_BUDGET_MS);
const fastBudget = fromEnv ?? (process.env['KITH_TEST_ALL'] ? slowBudget : String(FAST_FUZZ_BUDGET_MS));
const timeoutFor = (budget: string): number => Math.max(60_000, (Number(budget) || 0) + 60_000);

// Left out of `fast`: relays in child processes (killed mid-push; the CLI's exit codes); long
// seeded convergence.
const SLOW_UNITS = [
  'relay/src/server/durability.test.ts',
  'relay/src/cli/relay-process.test.ts',
  'relay/src/server/cluster-failover.test.ts',
  'core/src/engine/convergence.test.ts',
  'core/src/model/membership/membership-convergence.test.ts',
];

// Workspace packages resolve to their TypeScript sources through the `@kith/source` export
// condition (ADR 0020); without it they would resolve to their built dist/.
const SOURCE = '@kith/source';

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['core/src/**/*.test.ts', 'relay/src/**/*.test.ts', 'react/src/**/*.test.tsx'],
          exclude: SLOW_UNITS,
          env: { FUZZ_BUDGET_MS: fastBudget },
          testTimeout: timeoutFor(fastBudget),
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: [...SLOW_UNITS, 'test/src/**/*.test.ts', 'bench/src/**/*.test.ts', 'web-demo/tests/**/*.test.ts'],
          env: { FUZZ_BUDGET_MS: slowBudget },
          testTimeout: timeoutFor(slowBudget),
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
