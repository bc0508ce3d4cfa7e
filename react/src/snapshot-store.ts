import { sameValue } from './same-value.js';

/**
 * A value React reads with `useSyncExternalStore`: `get` returns the same reference until the
 * value really changes. `start` runs when the first component subscribes and its cleanup when
 * the last one leaves (so StrictMode's double mount and unmounted screens cost nothing).
 */
export interface SnapshotStore<T> {
  readonly subscribe: (listener: () => void) => () => void;
  readonly get: () => T;
  /** Replaces the value when it differs (structurally) from the current one; tells subscribers. */
  set(next: T): void;
}

export function createSnapshotStore<T>(initial: T, start: (store: SnapshotStore<T>) => () => void, equal: (a: T, b: T) => boolean = sameValue): SnapshotStore<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  let stop: (() => void) | undefined;
  const store: SnapshotStore<T> = {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) stop = start(store);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          const s = stop;
          stop = undefined;
          s?.();
        }
      };
    },
    get: () => value,
    set(next) {
      if (equal(value, next)) return;
      value = next;
      for (const l of [...listeners]) l();
    },
  };
  return store;
}
