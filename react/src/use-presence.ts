import { useCallback, useSyncExternalStore } from 'react';
import type { PresenceState, UserId } from '@kith/core';
import { useKithContext } from './kith-provider.js';

/**
 * The presence `user` last announced to this device (RLY-20), or undefined when none arrived
 * since the provider mounted. Only this user's announcements re-render.
 */
export function usePresence(user: UserId): PresenceState | undefined {
  const { presence } = useKithContext();
  const subscribe = useCallback((listener: () => void) => presence.subscribe(user, listener), [presence, user]);
  const get = useCallback(() => presence.get(user), [presence, user]);
  return useSyncExternalStore(subscribe, get, get);
}

/** Announces this device's presence to `to` (contacts, usually); a no-op without a sync client. */
export function useSetPresence(): (state: PresenceState, to: readonly UserId[]) => void {
  const { sync } = useKithContext();
  return useCallback((state: PresenceState, to: readonly UserId[]) => sync?.setPresence(state, to), [sync]);
}
