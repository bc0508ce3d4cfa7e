import { describe, expect, it } from 'vitest';
import type { Clock } from '../ports/clock.js';

interface Advanceable {
  advance(ms: number): void;
}

function isAdvanceable(clock: Clock): clock is Clock & Advanceable {
  return typeof (clock as Partial<Advanceable>).advance === 'function';
}

/**
 * Let `ms` pass: a manual clock (one with `advance`) is advanced; a real clock is waited on
 * through its own timer, plus a little slack so timers due by then have fired.
 */
async function elapse(clock: Clock, ms: number): Promise<void> {
  if (isAdvanceable(clock)) {
    clock.advance(ms);
    return;
  }
  await new Promise<void>((resolve) => clock.setTimer(ms + 5, resolve));
}

/**
 * The contract of the Clock port, for every implementation. A clock with an `advance(ms)`
 * method (the manual test clock) is driven by it; any other is a real clock and the suite
 * waits on it (about 150 ms in all).
 *
 * - `now()` is finite milliseconds since the Unix epoch (after 2000) and never goes backwards
 *   while time only moves forward.
 * - `setTimer(ms, fn)` never calls `fn` synchronously (not even for 0 ms), calls it exactly
 *   once, no earlier than `ms` later (1 ms tolerance for real clocks' rounding).
 * - The returned cancel function prevents the call; cancelling twice, or after the call, is harmless.
 * - Timers fire in order of due time; equal delays in scheduling order.
 * - A callback may schedule and cancel other timers.
 */
export function runClockConformance(name: string, make: () => Clock): void {
  describe(`Clock conformance: ${name}`, () => {
    it('reads milliseconds since the epoch, moving forward', async () => {
      const clock = make();
      const t0 = clock.now();
      expect(Number.isFinite(t0)).toBe(true);
      expect(t0).toBeGreaterThan(Date.UTC(2000, 0, 1));
      await elapse(clock, 20);
      const t1 = clock.now();
      expect(t1).toBeGreaterThanOrEqual(t0 + 19);
    });

    it('fires a timer once, never synchronously, not before its delay', async () => {
      const clock = make();
      const start = clock.now();
      const fired: number[] = [];
      const zero: number[] = [];
      clock.setTimer(0, () => zero.push(clock.now()));
      clock.setTimer(10, () => fired.push(clock.now()));
      expect(zero).toEqual([]);
      expect(fired).toEqual([]);
      await elapse(clock, 30);
      expect(zero).toHaveLength(1);
      expect(fired).toHaveLength(1);
      expect(fired[0]! - start).toBeGreaterThanOrEqual(9);
      await elapse(clock, 20);
      expect(fired).toHaveLength(1);
    });

    it('cancels: before the call, twice, and after the call', async () => {
      const clock = make();
      let cancelledCalls = 0;
      let calls = 0;
      const cancel = clock.setTimer(5, () => cancelledCalls++);
      expect(typeof cancel).toBe('function');
      cancel();
      cancel();
      const cancelLater = clock.setTimer(5, () => calls++);
      await elapse(clock, 20);
      cancelLater();
      expect(cancelledCalls).toBe(0);
      expect(calls).toBe(1);
    });

    it('fires in due order, equal delays in scheduling order', async () => {
      const clock = make();
      const order: string[] = [];
      clock.setTimer(30, () => order.push('30'));
      clock.setTimer(10, () => order.push('10'));
      clock.setTimer(20, () => order.push('20a'));
      clock.setTimer(20, () => order.push('20b'));
      await elapse(clock, 50);
      expect(order).toEqual(['10', '20a', '20b', '30']);
    });

    it('lets a callback schedule and cancel other timers', async () => {
      const clock = make();
      const order: string[] = [];
      const cancelB = clock.setTimer(20, () => order.push('b'));
      clock.setTimer(5, () => {
        order.push('a');
        cancelB();
        clock.setTimer(5, () => order.push('c'));
      });
      await elapse(clock, 40);
      expect(order).toEqual(['a', 'c']);
    });
  });
}
