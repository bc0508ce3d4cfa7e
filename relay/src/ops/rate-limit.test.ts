import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.js';

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
