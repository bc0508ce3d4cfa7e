/** Runs async tasks one after another (local operations see each other's effects). */
export interface SerialQueue {
  run<T>(task: () => Promise<T> | T): Promise<T>;
  /** Resolves when everything queued so far has settled. */
  idle(): Promise<void>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(task) {
      const next = tail.then(() => task());
      tail = next.catch(() => undefined);
      return next;
    },
    idle() {
      return tail.then(() => undefined);
    },
  };
}
