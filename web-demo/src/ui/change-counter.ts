/**
 * A version number bumped on every change a source reports, for `useSyncExternalStore`: the
 * components that read the DemoClient re-render when it says something changed.
 */
export interface ChangeCounter {
  readonly get: () => number;
  readonly subscribe: (listener: () => void) => () => void;
}

export function createChangeCounter(onChange: (listener: () => void) => () => void): ChangeCounter {
  let version = 0;
  const listeners = new Set<() => void>();
  onChange(() => {
    version++;
    for (const l of [...listeners]) l();
  });
  return {
    get: () => version,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
