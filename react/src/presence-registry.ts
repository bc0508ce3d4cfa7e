import type { PresenceState, UserId } from '@kith/core';

/** The last presence each user announced to this device (RLY-20), with per-user listeners. */
export interface PresenceRegistry {
  get(user: UserId): PresenceState | undefined;
  subscribe(user: UserId, listener: () => void): () => void;
  onPresence(user: string, state: PresenceState): void;
}

export function createPresenceRegistry(): PresenceRegistry {
  const states = new Map<string, PresenceState>();
  const listeners = new Map<string, Set<() => void>>();
  return {
    get: (user) => states.get(user),
    subscribe(user, listener) {
      let set = listeners.get(user);
      if (set === undefined) listeners.set(user, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(user);
      };
    },
    onPresence(user, state) {
      if (states.get(user) === state) return;
      states.set(user, state);
      for (const l of [...(listeners.get(user) ?? [])]) l();
    },
  };
}
