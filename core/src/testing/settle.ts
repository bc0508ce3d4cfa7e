import type { ManualClock } from './manual-clock.js';

/** What `settle` drives: anything with a flush-until-quiet (the simulated network). */
export interface Flushable {
  flush(options?: { maxSteps?: number }): number;
}

export interface SettleOptions {
  /** Simulated time `settle` may move forward at most (default 60,000 ms). */
  readonly maxMs?: number;
  /** Passed to each `flush`. */
  readonly maxSteps?: number;
}

export interface SettleResult {
  /** Simulated milliseconds that passed. */
  readonly elapsedMs: number;
  /** Network deliveries, all flushes together. */
  readonly steps: number;
  /** Timers still pending at the end (periodic ones such as heartbeats never run out). */
  readonly pendingTimers: number;
}

/**
 * Run a system of peers to rest on simulated time: flush the network until quiet, then jump the
 * clock to the next timer (retries, backoff, presence expiry) and flush again — until no timer
 * is due within `maxMs` of the start. Never sleeps; deterministic for a given seed.
 */
export function settle(net: Flushable, clock: ManualClock, options: SettleOptions = {}): SettleResult {
  const maxMs = options.maxMs ?? 60_000;
  const flushOptions = options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps };
  const start = clock.now();
  let steps = net.flush(flushOptions);
  for (;;) {
    const next = clock.nextTimerAt();
    if (next === undefined || next > start + maxMs) break;
    clock.set(Math.max(next, clock.now()));
    steps += net.flush(flushOptions);
  }
  return { elapsedMs: clock.now() - start, steps, pendingTimers: clock.pendingTimers() };
}
