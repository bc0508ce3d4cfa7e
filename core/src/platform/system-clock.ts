import type { Clock } from '../ports/clock.js';

export interface SystemClockOptions {
  /**
   * In Node, `unref` timers so a pending retry or presence timer never keeps the process
   * alive (default true). Ignored where timers have no `unref` (browsers).
   */
  readonly unref?: boolean;
}

/** The production Clock: `Date.now()` and `setTimeout`. */
export function createSystemClock(options: SystemClockOptions = {}): Clock {
  const unref = options.unref ?? true;
  return {
    now: () => Date.now(),
    setTimer(ms: number, fn: () => void): () => void {
      const handle: unknown = setTimeout(fn, ms);
      if (unref && typeof handle === 'object' && handle !== null && 'unref' in handle && typeof handle.unref === 'function') {
        (handle as { unref(): void }).unref();
      }
      return () => clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
    },
  };
}
