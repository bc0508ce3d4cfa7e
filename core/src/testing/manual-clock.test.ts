import { describe, expect, it } from 'vitest';
import { runClockConformance } from './clock-conformance.js';
import { createManualClock, DEFAULT_MANUAL_CLOCK_START } from './manual-clock.js';

runClockConformance('manual', () => createManualClock());

describe('createManualClock', () => {
  it('starts at a fixed time and moves only when told', () => {
    const clock = createManualClock();
    expect(clock.now()).toBe(DEFAULT_MANUAL_CLOCK_START);
    expect(createManualClock(5).now()).toBe(5);
    clock.advance(250);
    expect(clock.now()).toBe(DEFAULT_MANUAL_CLOCK_START + 250);
  });

  it('fires nothing before the due time, and shows the due time to the callback', () => {
    const clock = createManualClock(1000);
    const seen: number[] = [];
    clock.setTimer(100, () => seen.push(clock.now()));
    clock.setTimer(40, () => seen.push(clock.now()));
    expect(clock.nextTimerAt()).toBe(1040);
    clock.advance(39);
    expect(seen).toEqual([]);
    expect(clock.pendingTimers()).toBe(2);
    clock.advance(500);
    expect(seen).toEqual([1040, 1100]);
    expect(clock.now()).toBe(1539);
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('fires timers scheduled by a callback within the same advance (a retry loop)', () => {
    const clock = createManualClock(0);
    const attempts: number[] = [];
    const retry = (delay: number): void => {
      clock.setTimer(delay, () => {
        attempts.push(clock.now());
        if (attempts.length < 5) retry(delay * 2);
      });
    };
    retry(100);
    clock.advance(1000);
    expect(attempts).toEqual([100, 300, 700]);
    clock.advance(2000);
    expect(attempts).toEqual([100, 300, 700, 1500]);
    clock.advance(100);
    expect(attempts).toEqual([100, 300, 700, 1500, 3100]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('treats negative and NaN delays as zero, fired by advance(0)', () => {
    const clock = createManualClock(0);
    let calls = 0;
    clock.setTimer(-5, () => calls++);
    clock.setTimer(Number.NaN, () => calls++);
    expect(calls).toBe(0);
    clock.advance(0);
    expect(calls).toBe(2);
  });

  it('set jumps forward like advance and backward without firing', () => {
    const clock = createManualClock(1000);
    const fired: number[] = [];
    clock.setTimer(100, () => fired.push(clock.now()));
    clock.set(500);
    expect(clock.now()).toBe(500);
    expect(fired).toEqual([]);
    clock.set(1099);
    expect(fired).toEqual([]);
    clock.set(2000);
    expect(fired).toEqual([1100]);
    expect(clock.now()).toBe(2000);
  });

  it('refuses bad input and re-entrant advance', () => {
    const clock = createManualClock(0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => clock.set(Number.NaN)).toThrow(RangeError);
    expect(() => createManualClock(Number.NaN)).toThrow(RangeError);
    clock.setTimer(1, () => clock.advance(1));
    expect(() => clock.advance(5)).toThrow(/inside a timer callback/);
    // The clock stays usable after a callback threw.
    let later = 0;
    clock.setTimer(1, () => later++);
    clock.advance(1);
    expect(later).toBe(1);
  });
});
