import { afterEach, describe, expect, it, vi } from 'vitest';
import { CI_FUZZ_BUDGET_MS, DEFAULT_FUZZ_BUDGET_MS, fuzzBudgetMs, withSeed } from './fuzz-env.js';

describe('fuzzBudgetMs', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads FUZZ_BUDGET_MS, falling back on unset or nonsense values', () => {
    vi.stubEnv('FUZZ_BUDGET_MS', '12000');
    expect(fuzzBudgetMs()).toBe(12_000);
    vi.stubEnv('FUZZ_BUDGET_MS', '0');
    expect(fuzzBudgetMs(5)).toBe(0);
    for (const bad of ['', 'soon', '-1']) {
      vi.stubEnv('FUZZ_BUDGET_MS', bad);
      expect(fuzzBudgetMs(700)).toBe(700);
    }
  });

  it('defaults to minutes by hand and to seconds in CI', () => {
    vi.stubEnv('FUZZ_BUDGET_MS', '');
    vi.stubEnv('CI', '');
    expect(fuzzBudgetMs()).toBe(DEFAULT_FUZZ_BUDGET_MS);
    expect(DEFAULT_FUZZ_BUDGET_MS).toBeGreaterThanOrEqual(60_000);
    vi.stubEnv('CI', 'true');
    expect(fuzzBudgetMs()).toBe(CI_FUZZ_BUDGET_MS);
    expect(CI_FUZZ_BUDGET_MS).toBeLessThan(10_000);
    expect(fuzzBudgetMs(700)).toBe(700);
  });
});

describe('withSeed', () => {
  it('returns what the function returns', async () => {
    expect(withSeed('s1', () => 3)).toBe(3);
    await expect(withSeed('s1', () => Promise.resolve(4))).resolves.toBe(4);
  });

  it('adds the seed and the replay command to a failure, sync or async', async () => {
    expect(() =>
      withSeed('abc123', () => {
        throw new Error('peers diverged');
      }),
    ).toThrow(/peers diverged\nseed=abc123 \(replay: SEED=abc123 /);
    await expect(withSeed('def', () => Promise.reject(new Error('boom')))).rejects.toThrow(/boom\nseed=def/);
    expect(() =>
      withSeed('x', () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error throw is the case under test
        throw 'a string';
      }),
    ).toThrow(/a string\nseed=x/);
  });
});
