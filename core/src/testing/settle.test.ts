import { describe, expect, it } from 'vitest';
import { createManualClock } from './manual-clock.js';
import { createSeededRandom } from './seeded-random.js';
import { settle } from './settle.js';
import { createSimNetwork } from './sim-network.js';

interface Frame {
  kind: 'put' | 'ack';
  n: number;
}

/** A sender that retries with exponential backoff until acked — over a lossy-then-healed link. */
function retryScenario(seed: string): { elapsedMs: number; steps: number; attempts: number; acked: boolean; trace: readonly string[] } {
  const clock = createManualClock(0);
  const net = createSimNetwork<Frame>({ random: createSeededRandom(seed), describe: (f) => `${f.kind} n=${f.n}` });
  let attempts = 0;
  let acked = false;
  net.addNode('relay', (from, frame) => net.send('relay', from, { kind: 'ack', n: frame.n }));
  net.addNode('alice', (_from, frame) => {
    if (frame.kind === 'ack') acked = true;
  });
  const attempt = (delay: number): void => {
    if (acked) return;
    attempts++;
    net.send('alice', 'relay', { kind: 'put', n: attempts });
    clock.setTimer(delay, () => attempt(delay * 2));
  };
  net.partition([['alice'], ['relay']], 'drop');
  attempt(100);
  // The link comes back after 1 s of simulated time.
  clock.setTimer(1000, () => net.heal());
  const result = settle(net, clock);
  return { ...result, attempts, acked, trace: net.trace.lines() };
}

describe('settle', () => {
  it('alternates flushes and timers until the system rests, on simulated time', () => {
    const run = retryScenario('settle');
    // Attempts at 0, 100, 300, 700 are lost; the one at 1500 gets through and is acked.
    expect(run.acked).toBe(true);
    expect(run.attempts).toBe(5);
    expect(run.elapsedMs).toBe(3100); // the last timer (due 3100) finds the ack and stops
    expect(run.steps).toBe(2);
    expect(retryScenario('settle').trace).toEqual(run.trace);
  });

  it('stops at maxMs when timers never run out (a heartbeat)', () => {
    const clock = createManualClock(0);
    const net = createSimNetwork<string>({ random: createSeededRandom('beat') });
    net.addNode('a', () => undefined);
    net.addNode('b', () => undefined);
    const beat = (): void => {
      net.send('a', 'b', 'ping');
      clock.setTimer(1000, beat);
    };
    beat();
    const result = settle(net, clock, { maxMs: 10_000 });
    expect(result.elapsedMs).toBe(10_000);
    expect(result.steps).toBe(11);
    expect(result.pendingTimers).toBe(1);
    expect(clock.nextTimerAt()).toBe(11_000);
  });
});
