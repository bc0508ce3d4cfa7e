import type { Random } from '../ports/random.js';

/**
 * A deterministic PRNG for tests: the same seed gives the same sequence on every platform.
 * It implements the Random port, so a test can inject it wherever production takes a CSPRNG.
 * Never use it for key material outside tests.
 *
 * Algorithm: sfc32 (32-bit "small fast counting" generator), its 128-bit state derived from
 * the seed string by four independent 32-bit hash lanes, then warmed up by 16 rounds.
 */
export interface SeededRandom extends Random {
  /** The seed this stream was created from (forks: `parent/label`). Print it on failure. */
  readonly seed: string;
  /** A float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** An integer in [0, maxExclusive); `maxExclusive` is a positive integer ≤ 2^32. */
  int(maxExclusive: number): number;
  /** One element, uniformly. Throws on an empty list (a test bug). */
  pick<T>(items: readonly T[]): T;
  /** True with probability `p` (0 ≤ p ≤ 1). `chance(0)` is always false, `chance(1)` always true. */
  chance(p: number): boolean;
  /** Fisher–Yates shuffle in place; returns `items`. */
  shuffle<T>(items: T[]): T[];
  /**
   * An independent deterministic sub-stream, seeded from `seed + '/' + label`. It does not
   * depend on how much of this stream was consumed, and consuming it leaves this stream alone,
   * so adding draws in one component does not reshuffle another. Forking the same label twice
   * yields two identical streams.
   */
  fork(label: string): SeededRandom;
}

const TWO_POW_32 = 0x1_0000_0000;

/** Four 32-bit hash lanes over the UTF-16 code units of `text` (multiply–xorshift mixing). */
function hashSeed(text: string): [number, number, number, number] {
  const lanes: [number, number, number, number] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a];
  const multipliers = [0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f, 0x165667b1] as const;
  for (let lane = 0; lane < 4; lane++) {
    let h = lanes[lane]! ^ text.length;
    const m = multipliers[lane]!;
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), m);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    lanes[lane] = (h ^ (h >>> 16)) >>> 0;
  }
  return lanes;
}

function normalizeSeed(seed: string | number): string {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError('createSeededRandom: a numeric seed must be finite');
    return String(seed);
  }
  return seed;
}

/** Create a seeded PRNG. Numbers are turned into their decimal string, so `1` and `'1'` agree. */
export function createSeededRandom(seed: string | number): SeededRandom {
  const seedText = normalizeSeed(seed);
  let [a, b, c, d] = hashSeed(seedText);

  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) nextU32();

  const next = (): number => nextU32() / TWO_POW_32;

  const int = (maxExclusive: number): number => {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > TWO_POW_32) {
      throw new RangeError(`SeededRandom.int: maxExclusive must be an integer in [1, 2^32], got ${maxExclusive}`);
    }
    // Rejection sampling keeps the result unbiased for every bound.
    const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
    for (;;) {
      const x = nextU32();
      if (x < limit) return x % maxExclusive;
    }
  };

  const random: SeededRandom = {
    seed: seedText,
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('SeededRandom.pick: empty list');
      return items[int(items.length)]!;
    },
    chance(p: number): boolean {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`SeededRandom.chance: p must be in [0, 1], got ${p}`);
      if (p === 0) return false;
      if (p === 1) return true;
      return next() < p;
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const tmp = items[i]!;
        items[i] = items[j]!;
        items[j] = tmp;
      }
      return items;
    },
    fork(label: string): SeededRandom {
      return createSeededRandom(`${seedText}/${label}`);
    },
    bytes(n: number): Uint8Array {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`Random.bytes: n must be a non-negative integer, got ${n}`);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        let x = nextU32();
        for (let k = i; k < Math.min(i + 4, n); k++) {
          out[k] = x & 0xff;
          x >>>= 8;
        }
      }
      return out;
    },
  };
  return random;
}

/**
 * The seed for a randomized test: `process.env.SEED` when set (replay a failure with
 * `SEED=<seed> pnpm exec vitest run <file>`), else `fallback`, else a fresh random seed.
 * Fuzz tests pass no fallback so every run explores new ground, and print the seed on failure.
 * Works where `process` does not exist (browsers): then only the fallback or a random seed.
 */
export function seedFromEnv(fallback?: string): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const fromEnv = env?.['SEED'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (fallback !== undefined) return fallback;
  const buf = new Uint32Array(2);
  globalThis.crypto.getRandomValues(buf);
  return `${buf[0]!.toString(16).padStart(8, '0')}${buf[1]!.toString(16).padStart(8, '0')}`;
}
