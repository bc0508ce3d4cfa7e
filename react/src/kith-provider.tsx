import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { Clock, Kith, Projection } from '@kith/core';
import type { SyncLink } from './sync-link.js';
import { createPresenceRegistry, type PresenceRegistry } from './presence-registry.js';
import { createTypingRegistry, type TypingRegistry } from './typing-registry.js';

/** What the hooks read: the engine, and optionally its projection and sync client. */
export interface KithContextValue {
  readonly kith: Kith;
  readonly sync: SyncLink | undefined;
  readonly projection: Projection | undefined;
  readonly clock: Clock;
  readonly presence: PresenceRegistry;
  readonly typing: TypingRegistry;
}

export interface KithProviderProps {
  readonly kith: Kith;
  /** The sync client (`createSyncClient`); without it sync state is 'offline', presence and typing are empty. */
  readonly sync?: SyncLink;
  /** The live projection (`createProjection`); `useChatList` needs it. */
  readonly projection?: Projection;
  /** Timers for typing expiry (default: the system clock). Tests pass a manual clock. */
  readonly clock?: Clock;
  /** How long a typing signal shows (default 6 s). */
  readonly typingTtlMs?: number;
  readonly children?: ReactNode;
}

const KithContext = createContext<KithContextValue | null>(null);

const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/**
 * Makes an engine (and its sync client and projection) available to the hooks below it.
 * Presence and typing are collected here, once per provider, from the moment it mounts.
 */
export function KithProvider(props: KithProviderProps): ReactNode {
  const { kith, sync, projection, children } = props;
  const clock = props.clock ?? systemClock;
  const ttl = props.typingTtlMs ?? 6000;
  // Pass stable objects: a new engine, sync client, projection or clock starts every hook afresh.
  const value = useMemo<KithContextValue>(
    () => ({ kith, sync, projection, clock, presence: createPresenceRegistry(), typing: createTypingRegistry(kith, clock, ttl) }),
    [kith, sync, projection, clock, ttl],
  );
  useEffect(() => {
    if (sync === undefined) return;
    const offPresence = sync.onPresence((e) => value.presence.onPresence(e.user, e.state));
    const offSignal = sync.onSignal((e) => value.typing.onSignal(e));
    return () => {
      offPresence();
      offSignal();
      value.typing.clear();
    };
  }, [sync, value]);
  return <KithContext.Provider value={value}>{children}</KithContext.Provider>;
}

/** The provider's value; throws when a hook is used outside a `KithProvider`. */
export function useKithContext(): KithContextValue {
  const value = useContext(KithContext);
  if (value === null) throw new Error('Kith hooks must be used inside <KithProvider>');
  return value;
}

/** The engine of the nearest `KithProvider`. */
export function useKith(): Kith {
  return useKithContext().kith;
}
