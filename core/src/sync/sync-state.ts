import { createListeners } from './listeners.js';
import type { SyncState } from './sync-types.js';

/** What the state is derived from (the connection, the queues, the engine's gaps). */
export interface StateProbe {
  connected(): boolean;
  authed(): boolean;
  busy(): boolean;
  hasGaps(): boolean;
}

/** The client's `SyncState` (docs/api.md): derived on `refresh`, listeners told of each change. */
export function createSyncState(probe: () => StateProbe) {
  let state: SyncState = 'offline';
  const listeners = createListeners<SyncState>(false);
  const set = (s: SyncState): void => {
    if (s === state) return;
    state = s;
    listeners.emit(s);
  };
  return {
    get: () => state,
    /** A new socket is being opened. */
    connecting: () => set('connecting'),
    refresh(): void {
      const p = probe();
      if (!p.connected()) return set('offline');
      if (!p.authed()) return set('connecting');
      if (p.busy()) return set('syncing');
      set(p.hasGaps() ? 'gap' : 'upToDate');
    },
    listen: listeners.add,
  };
}
