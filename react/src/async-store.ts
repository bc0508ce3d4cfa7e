import { createSnapshotStore, type SnapshotStore } from './snapshot-store.js';

/**
 * A value loaded asynchronously (undefined until the first load), reloaded whenever `listen`
 * notifies. Notifications during a load coalesce into one more load after it, so a burst of
 * events costs at most two reads. A failed load keeps the last value.
 */
export function createAsyncStore<T>(load: () => Promise<T>, listen: (notify: () => void) => () => void, merge: (prev: T | undefined, next: T) => T = (_p, n) => n): SnapshotStore<T | undefined> {
  return createSnapshotStore<T | undefined>(undefined, (s) => {
    let active = true;
    let running = false;
    let again = false;
    const run = (): void => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      again = false;
      load().then(
        (value) => {
          if (active) s.set(merge(s.get(), value));
        },
        () => undefined,
      ).finally(() => {
        running = false;
        if (active && again) run();
      });
    };
    const off = listen(run);
    run();
    return () => {
      active = false;
      off();
    };
  });
}
