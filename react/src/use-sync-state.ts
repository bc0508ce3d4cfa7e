import { useCallback, useSyncExternalStore } from 'react';
import type { SyncState } from '@kith/core';
import { useKithContext } from './kith-provider.js';

const noSubscription = (): (() => void) => () => undefined;

/** The sync client's state (`offline | connecting | syncing | upToDate | gap`, SYNC-9); 'offline' without one. */
export function useSyncState(): SyncState {
  const { sync } = useKithContext();
  const subscribe = useCallback((listener: () => void) => (sync === undefined ? noSubscription() : sync.onState(() => listener())), [sync]);
  const get = useCallback((): SyncState => sync?.state ?? 'offline', [sync]);
  return useSyncExternalStore(subscribe, get, get);
}
