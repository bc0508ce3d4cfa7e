/**
 * A count that event handlers raise, and promises that resolve when it reaches a value — how the
 * bench waits for delivery: on the recipient's own events, with a deadline, never by spinning
 * the event loop.
 */
export interface Counter {
  readonly value: number;
  /** Raises the count to `n` (never lowers it). */
  set(n: number): void;
  add(k?: number): void;
  /** Resolves once the count is at least `n`; rejects after `timeoutMs`, naming `what`. */
  until(n: number, timeoutMs: number, what: string): Promise<void>;
}

export function createCounter(): Counter {
  let value = 0;
  const waiters = new Set<{ n: number; resolve: () => void }>();
  const wake = (): void => {
    for (const w of waiters) {
      if (value < w.n) continue;
      waiters.delete(w);
      w.resolve();
    }
  };
  return {
    get value() {
      return value;
    },
    set(n) {
      if (n <= value) return;
      value = n;
      wake();
    },
    add(k = 1) {
      value += k;
      wake();
    },
    until(n, timeoutMs, what) {
      if (value >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const w = {
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what} (${value} of ${n})`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
  };
}

/**
 * Waits for a condition that has no event of its own (Kith's outbox draining, outside any
 * measured interval) by checking it on a timer: the process sleeps in between.
 */
export async function pollUntil(check: () => boolean, timeoutMs: number, what: string, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
