import { describe, expect, it } from 'vitest';
import { createRateLimiter, type SharedCounter } from './rate-limit.js';

describe('rate limiter (OPS-1..5 limits, OPS-6 "0 = no limit")', () => {
  it('refuses past the burst and refills at the rate', () => {
    let now = 0;
    const limiter = createRateLimiter(2, 3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now += 500;
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });

  it('an infinite rate never refuses, whatever the cost', () => {
    const limiter = createRateLimiter(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, () => 0);
    for (let i = 0; i < 10_000; i++) expect(limiter.take('a', 1_000)).toBe(true);
  });
});

/** A shared counter in memory, answering after the test lets it (one round trip = one flush). */
function createHeldCounter(): SharedCounter & { release(): Promise<void>; readonly totals: Map<string, number> } {
  const totals = new Map<string, number>();
  let held: (() => void)[] = [];
  return {
    totals,
    add(key, amount) {
      const total = (totals.get(key) ?? 0) + amount;
      totals.set(key, total);
      return new Promise<number>((resolve) => held.push(() => resolve(total)));
    },
    async release() {
      while (held.length > 0) {
        const due = held;
        held = [];
        for (const r of due) r();
        for (let i = 0; i < 5; i++) await Promise.resolve();
      }
    },
  };
}

describe('RLY-36: a rate limit shared by instances through a counter', () => {
  it('the cluster as a whole stays within the burst, give or take one round trip', async () => {
    let now = 0;
    const counter = createHeldCounter();
    const a = createRateLimiter(1, 10, () => now, { counter, name: 'account' });
    const b = createRateLimiter(1, 10, () => now, { counter, name: 'account' });
    // A takes its whole burst; B, not knowing yet, lets one through before the counter answers.
    expect(Array.from({ length: 10 }, () => a.take('u')).every(Boolean)).toBe(true);
    await Promise.resolve();
    expect(b.take('u')).toBe(true);
    await counter.release();
    // B has now been charged with A's ten: the cluster admitted 11 of burst 10, not 20.
    const more = Array.from({ length: 10 }, () => b.take('u')).filter(Boolean).length;
    expect(more).toBe(0);
    expect(a.take('u')).toBe(false);
    // Refill is per key and time, as in one process.
    now += 3000;
    expect(b.take('u')).toBe(true);
    expect(b.take('other')).toBe(true);
    console.log(`[rate] shared limit: instance B admitted 1 + ${more} after instance A used the burst of 10`);
  });

  it('an unreachable counter leaves each instance limiting alone', async () => {
    const counter: SharedCounter = { add: () => Promise.reject(new Error('down')) };
    const a = createRateLimiter(1, 3, () => 0, { counter, name: 'ip' });
    expect([1, 2, 3, 4].map(() => a.take('x'))).toEqual([true, true, true, false]);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(a.take('x')).toBe(false);
  });
});
