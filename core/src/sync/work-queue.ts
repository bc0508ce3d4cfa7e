/**
 * The sync client's one job queue: jobs run one at a time, in order. A job that throws never
 * stops the queue; what it threw goes to `onFailure` (the client tells a typed `KithError`,
 * counted as a rejection, from a bug, surfaced as an `error` event: internal-errors.ts).
 */
export interface WorkQueue {
  /** Runs `fn` after every job queued before it. */
  readonly enqueue: (fn: () => Promise<void>) => void;
  /** Jobs queued and not finished. */
  readonly pending: number;
  /** Resolves once every job queued so far has finished. */
  idle(): Promise<void>;
}

export function createWorkQueue(hooks: { onFailure(error: unknown): void; onSettled(): void }): WorkQueue {
  let work: Promise<void> = Promise.resolve();
  let pending = 0;
  return {
    enqueue: (fn) => {
      pending++;
      work = work
        .then(fn)
        .catch((error: unknown) => hooks.onFailure(error))
        .finally(() => {
          pending--;
          hooks.onSettled();
        });
    },
    get pending() {
      return pending;
    },
    idle: () => work,
  };
}
