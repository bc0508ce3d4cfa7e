import { isKithError } from '../errors.js';

/** An internal failure of the sync client: a job threw something that is not a typed `KithError` (a bug). */
export interface SyncErrorEvent {
  /** What the client was doing (a fixed label, never data from the network or secrets). */
  readonly during: 'job';
  readonly error: unknown;
}

/** Where the client writes internal failures besides the `error` event (default: `console`). */
export interface SyncLogger {
  error(message: string, error: unknown): void;
}

/**
 * Tells hostility from bugs (issue 12 item 7). Hostile or invalid input reaches the client's
 * jobs as typed results, or at worst as a thrown `KithError` (an id that does not parse, a
 * refused write): counted in `stats.rejected` and dropped, as before. Anything else thrown is a
 * bug: it is NOT counted as a rejection but logged and emitted to the `onError` listeners, so
 * tests (which listen and fail on it) and apps see it.
 */
export function createInternalErrors(stats: { rejected: number }, logger: SyncLogger): { onFailure(error: unknown): void; listen(listener: (event: SyncErrorEvent) => void): () => void } {
  const listeners = new Set<(event: SyncErrorEvent) => void>();
  return {
    onFailure(error) {
      if (isKithError(error)) {
        stats.rejected++;
        return;
      }
      logger.error('kith sync: internal error in a sync job', error);
      for (const l of listeners) {
        try {
          l({ during: 'job', error });
        } catch {
          // A throwing listener must not stop the queue.
        }
      }
    },
    listen(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
