/**
 * Token buckets keyed by a string (connection id, account, client address): `rate` tokens per
 * second up to `burst`. Runs on an injected clock. Idle buckets are forgotten once full.
 * A `rate` of `Infinity` is no limit: every `take` succeeds and nothing is stored.
 */
export interface RateLimiter {
  /** Takes `cost` tokens for `key`; false when the bucket is empty (the request is refused). */
  take(key: string, cost?: number): boolean;
  forget(key: string): void;
}

export function createRateLimiter(rate: number, burst: number, now: () => number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let sweeps = 0;
  const unlimited = rate === Number.POSITIVE_INFINITY;
  return {
    take(key, cost = 1) {
      if (unlimited) return true;
      const t = now();
      let b = buckets.get(key);
      if (b === undefined) buckets.set(key, (b = { tokens: burst, at: t }));
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
      b.at = t;
      if (++sweeps % 10_000 === 0) {
        for (const [k, v] of buckets) if (v.tokens + ((t - v.at) / 1000) * rate >= burst) buckets.delete(k);
      }
      if (b.tokens < cost) return false;
      b.tokens -= cost;
      return true;
    },
    forget(key) {
      buckets.delete(key);
    },
  };
}
