import { describe, expect, it } from 'vitest';
import { runClockConformance } from '../testing/clock-conformance.js';
import { createSystemClock } from './system-clock.js';

runClockConformance('system', () => createSystemClock());
runClockConformance('system (ref timers)', () => createSystemClock({ unref: false }));

describe('createSystemClock', () => {
  it('reads Date.now', () => {
    const before = Date.now();
    const now = createSystemClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('unrefs its timers by default so they never hold the process open', () => {
    const clock = createSystemClock();
    const handles: unknown[] = [];
    const original = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      const handle = original(fn, ms);
      handles.push(handle);
      return handle;
    }) as typeof setTimeout;
    try {
      const cancel = clock.setTimer(60_000, () => undefined);
      const cancelRef = createSystemClock({ unref: false }).setTimer(60_000, () => undefined);
      expect(handles).toHaveLength(2);
      expect((handles[0] as NodeJS.Timeout).hasRef()).toBe(false);
      expect((handles[1] as NodeJS.Timeout).hasRef()).toBe(true);
      cancel();
      cancelRef();
    } finally {
      globalThis.setTimeout = original;
    }
  });
});
