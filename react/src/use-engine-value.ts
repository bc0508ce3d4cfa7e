import { useMemo, useSyncExternalStore, type DependencyList } from 'react';
import type { Kith, KithEventName, KithEvents } from '@kith/core';
import { createSnapshotStore } from './snapshot-store.js';

/**
 * A value read synchronously from the engine, re-read when `listen` says something it depends
 * on changed, and handed to React only when it differs structurally from the last one.
 */
export function useEngineValue<T>(read: () => T, listen: (notify: () => void) => () => void, deps: DependencyList): T {
  const store = useMemo(
    () =>
      createSnapshotStore(read(), (s) => {
        s.set(read());
        return listen(() => s.set(read()));
      }),
    // The caller's deps decide when `read` and `listen` change.
    deps,
  );
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

/** Subscribes `notify` to several engine events, each narrowed by `when`; returns one unsubscribe. */
export function onKithEvents(kith: Kith, names: readonly KithEventName[], when: (event: KithEvents[KithEventName]) => boolean, notify: () => void): () => void {
  const offs = names.map((name) => kith.on(name, (event) => void (when(event) && notify())));
  return () => {
    for (const off of offs) off();
  };
}

/** True for an event about `conversation` (every event but `contact` and `profile` names one). */
export const aboutConversation =
  (conversation: string) =>
  (event: KithEvents[KithEventName]): boolean =>
    'conversation' in event && event.conversation === conversation;
