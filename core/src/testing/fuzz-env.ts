/**
 * Helpers for seeded fuzz and convergence tests (see docs/testing.md, "Testing harness").
 *
 *     const seed = seedFromEnv();
 *     const deadline = Date.now() + fuzzBudgetMs();
 *     await withSeed(seed, async () => { while (Date.now() < deadline) { ...one seeded round... } });
 */

/** Default fuzz budget by hand when `FUZZ_BUDGET_MS` is unset: minutes of exploration. */
export const DEFAULT_FUZZ_BUDGET_MS = 120_000;

/** Default fuzz budget in CI (`CI` set) when `FUZZ_BUDGET_MS` is unset: seconds. */
export const CI_FUZZ_BUDGET_MS = 3000;

function readEnv(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/**
 * The time budget of a fuzz test in milliseconds: `FUZZ_BUDGET_MS` when it is a non-negative
 * number, else `fallback` (by default `CI_FUZZ_BUDGET_MS` in CI, `DEFAULT_FUZZ_BUDGET_MS` by hand).
 * Short runs by hand: `FUZZ_BUDGET_MS=3000 pnpm exec vitest run <file>`.
 * A budget bounds how long a test explores; it is never a wait for sync.
 */
export function fuzzBudgetMs(fallback?: number): number {
  const otherwise = fallback ?? (readEnv('CI') ? CI_FUZZ_BUDGET_MS : DEFAULT_FUZZ_BUDGET_MS);
  const raw = readEnv('FUZZ_BUDGET_MS');
  if (raw === undefined || raw.trim() === '') return otherwise;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : otherwise;
}

function annotate(error: unknown, seed: string): unknown {
  const note = `seed=${seed} (replay: SEED=${seed} pnpm exec vitest run <this file>)`;
  if (error instanceof Error) {
    if (!error.message.includes(`seed=${seed}`)) error.message = `${error.message}\n${note}`;
    return error;
  }
  return new Error(`${String(error)}\n${note}`, { cause: error });
}

/**
 * Run `fn` (sync or async); if it fails, the error's message gains the seed and how to replay
 * it, so every failing randomized test reports its seed without try/catch boilerplate.
 */
export function withSeed<T>(seed: string, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (error) {
    throw annotate(error, seed);
  }
  if (result instanceof Promise) {
    return result.catch((error: unknown) => {
      throw annotate(error, seed);
    }) as T;
  }
  return result;
}
