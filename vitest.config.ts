import { defineConfig } from 'vitest/config';

// One run for the whole workspace. Browser suites (web-demo/tests) drive Debian Chromium
// through playwright-core and are part of this run too.
export default defineConfig({
  test: {
    include: ['core/src/**/*.test.ts', 'relay/src/**/*.test.ts', 'test/src/**/*.test.ts', 'web-demo/tests/**/*.test.ts', 'react/src/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Seeded fuzz suites read their budget from FUZZ_BUDGET_MS (short in CI).
    env: { FUZZ_BUDGET_MS: process.env['FUZZ_BUDGET_MS'] ?? (process.env['CI'] ? '3000' : '3000') },
  },
});
