/** A set of listeners with an unsubscribe per `add`; `emit` calls each in order. */
export interface Listeners<T> {
  readonly add: (listener: (event: T) => void) => () => void;
  emit(event: T): void;
}

/** `guarded`: a throwing listener is skipped (an app listener must not stop the sync client). */
export function createListeners<T>(guarded: boolean): Listeners<T> {
  const set = new Set<(event: T) => void>();
  return {
    add: (listener) => {
      set.add(listener);
      return () => void set.delete(listener);
    },
    emit(event) {
      for (const l of set) {
        if (!guarded) {
          l(event);
          continue;
        }
        try {
          l(event);
        } catch {
          // skipped: see above
        }
      }
    },
  };
}
