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

/**
 * A counter every relay instance adds to (Redis `INCRBY` + `PEXPIRE`): the cluster's consumption
 * of one key. Resolves with the total after the add; rejects while the server is unreachable.
 */
export interface SharedCounter {
  add(key: string, amount: number, ttlMs: number): Promise<number>;
}

/** Shares a limiter's consumption with the other instances under `name` (RLY-36). */
export interface SharedLimit {
  readonly counter: SharedCounter;
  readonly name: string;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Taken here, not yet added to the shared counter. */
  unsent: number;
  /** The shared window `seen` belongs to. */
  win: number;
  /** The shared total of window `win` after our last add. */
  seen: number;
  inflight: boolean;
}

/**
 * With `shared`, the decision stays local and synchronous (no round trip on the hot path), and
 * every instance also charges its buckets with what the OTHER instances took: each take is added
 * to a shared counter in the background, whose answer (the cluster total) minus what this
 * instance has seen and sent is the others' consumption, taken from the local bucket. Counters
 * are per window of one refill time (`burst / rate` s, at least 1 s), so a total never grows
 * without bound and an instance joining a key mid-window is charged with that window's
 * consumption elsewhere. The cluster as a whole stays near `rate`/`burst` for a key: the
 * overshoot is bounded by what the other instances let through during one round trip, and the
 * error the other way by one window's refill (conservative). A counter that cannot be reached
 * leaves each instance limiting alone (the in-process behaviour).
 */
export function createRateLimiter(rate: number, burst: number, now: () => number, shared?: SharedLimit): RateLimiter {
  const buckets = new Map<string, Bucket>();
  let sweeps = 0;
  const unlimited = rate === Number.POSITIVE_INFINITY;
  const windowMs = Math.max(1000, Math.ceil((burst * 1000) / rate));
  const dirty = new Set<string>();
  let flushQueued = false;

  const refill = (b: Bucket, t: number): void => {
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
  };
  const send = (key: string, b: Bucket, counter: SharedCounter, name: string): void => {
    const sent = b.unsent;
    const win = Math.floor(now() / windowMs);
    if (win !== b.win) {
      b.win = win;
      b.seen = 0;
    }
    b.unsent = 0;
    b.inflight = true;
    counter
      .add(`${name}:${key}:${win}`, sent, 2 * windowMs)
      .then((total) => {
        if (b.win !== win) return;
        const others = Math.max(0, total - b.seen - sent);
        b.seen = total;
        if (others > 0) {
          refill(b, now());
          b.tokens -= others;
        }
      })
      .catch(() => undefined)
      .finally(() => {
        b.inflight = false;
        if (b.unsent > 0 && buckets.get(key) === b) send(key, b, counter, name);
      });
  };
  const flush = (): void => {
    flushQueued = false;
    if (shared === undefined) return;
    for (const key of dirty) {
      const b = buckets.get(key);
      if (b !== undefined && !b.inflight && b.unsent > 0) send(key, b, shared.counter, shared.name);
    }
    dirty.clear();
  };

  return {
    take(key, cost = 1) {
      if (unlimited) return true;
      const t = now();
      let b = buckets.get(key);
      if (b === undefined) buckets.set(key, (b = { tokens: burst, at: t, unsent: 0, win: -1, seen: 0, inflight: false }));
      refill(b, t);
      if (++sweeps % 10_000 === 0) {
        for (const [k, v] of buckets) if (!v.inflight && v.unsent === 0 && v.tokens + ((t - v.at) / 1000) * rate >= burst) buckets.delete(k);
      }
      if (b.tokens < cost) return false;
      b.tokens -= cost;
      if (shared !== undefined) {
        b.unsent += cost;
        dirty.add(key);
        if (!flushQueued) {
          flushQueued = true;
          queueMicrotask(flush);
        }
      }
      return true;
    },
    forget(key) {
      buckets.delete(key);
    },
  };
}
