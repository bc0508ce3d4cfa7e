import type { Profile, UserId } from '@kith/core';
import { useKithContext } from './kith-provider.js';
import { onKithEvents, useEngineValue } from './use-engine-value.js';

/** A user's profile (name, avatar, about), live: re-renders only when that user's profile changes. */
export function useProfile(user: UserId): Profile {
  const { kith } = useKithContext();
  return useEngineValue(
    () => kith.profile.get(user),
    (notify) => onKithEvents(kith, ['profile'], (e) => 'user' in e && e.user === user, notify),
    [kith, user],
  );
}
