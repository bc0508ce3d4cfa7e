import type { Clock } from '../ports/clock.js';

/**
 * A Clock that moves only when the test says so. Timers never fire on their own, and never
 * synchronously inside `setTimer` (even with 0 ms): they fire during `advance`/`set`, in order of
 * due time, ties in the order they were scheduled. While a timer runs, `now()` reads its due
 * time, so a callback sees the time it was meant for. Timers scheduled by a callback fire in the
 * same `advance` when they fall due within it.
 */
export interface ManualClock extends Clock {
  /** Move time forward by `ms` (≥ 0), firing every timer that falls due. */
  advance(ms: number): void;
  /**
   * Jump to the absolute time `ms`. Forward, it behaves like `advance`. Backward (a wall clock
   * corrected by NTP, a device with a skewed clock), it fires nothing; timers keep their
   * absolute due times.
   */
  set(ms: number): void;
  /** Timers scheduled and neither fired nor cancelled. */
  pendingTimers(): number;
  /** When the earliest pending timer falls due, or undefined when none is pending. */
  nextTimerAt(): number | undefined;
}

interface Timer {
  readonly due: number;
  readonly fn: () => void;
}

export const DEFAULT_MANUAL_CLOCK_START = 1_700_000_000_000;

export function createManualClock(startMs: number = DEFAULT_MANUAL_CLOCK_START): ManualClock {
  if (!Number.isFinite(startMs)) throw new RangeError('createManualClock: startMs must be finite');
  let now = startMs;
  let advancing = false;
  // Sorted by due time; equal due times stay in scheduling order (insert after equals).
  const timers: Timer[] = [];

  const insert = (timer: Timer): void => {
    let i = timers.length;
    while (i > 0 && timers[i - 1]!.due > timer.due) i--;
    timers.splice(i, 0, timer);
  };

  const runUntil = (target: number): void => {
    if (advancing) throw new Error('ManualClock: advance/set called from inside a timer callback');
    advancing = true;
    try {
      for (;;) {
        const head = timers[0];
        if (head === undefined || head.due > target) break;
        timers.shift();
        now = Math.max(now, head.due);
        head.fn();
      }
      now = Math.max(now, target);
    } finally {
      advancing = false;
    }
  };

  return {
    now: () => now,
    setTimer(ms: number, fn: () => void): () => void {
      // Like setTimeout: negative or NaN delays mean "as soon as possible".
      const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
      const timer: Timer = { due: now + delay, fn };
      insert(timer);
      return () => {
        const i = timers.indexOf(timer);
        if (i >= 0) timers.splice(i, 1);
      };
    },
    advance(ms: number): void {
      if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be finite and ≥ 0, got ${ms}`);
      runUntil(now + ms);
    },
    set(ms: number): void {
      if (!Number.isFinite(ms)) throw new RangeError(`ManualClock.set: ms must be finite, got ${ms}`);
      if (ms >= now) runUntil(ms);
      else {
        if (advancing) throw new Error('ManualClock: advance/set called from inside a timer callback');
        now = ms;
      }
    },
    pendingTimers: () => timers.length,
    nextTimerAt: () => timers[0]?.due,
  };
}
