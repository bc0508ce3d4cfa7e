import { createContext, useContext, useSyncExternalStore } from 'react';
import type { DemoClient } from '../adapters/client.js';
import type { ChangeCounter } from './change-counter.js';

export interface ClientContextValue {
  readonly client: DemoClient;
  /** Bumped on every change the client reports (messages, contacts, chat list, sync state…). */
  readonly changes: ChangeCounter;
  /** Bumped on every change of the current call. */
  readonly calls: ChangeCounter;
}

export const ClientContext = createContext<ClientContextValue | null>(null);

function useClientContext(): ClientContextValue {
  const value = useContext(ClientContext);
  if (value === null) throw new Error('inside <SignedInApp> only');
  return value;
}

/** The signed-in DemoClient; the component re-renders on every change it reports. */
export function useClient(): DemoClient {
  const { client, changes } = useClientContext();
  useSyncExternalStore(changes.subscribe, changes.get);
  return client;
}

/** The version of the client's state, for effects that re-read (message pages). */
export function useClientVersion(): number {
  const { changes } = useClientContext();
  return useSyncExternalStore(changes.subscribe, changes.get);
}

/** The current call; re-renders on call changes only. */
export function useCurrentCall(): ReturnType<DemoClient['call']> {
  const { client, calls } = useClientContext();
  useSyncExternalStore(calls.subscribe, calls.get);
  return client.call();
}

/** The client without subscribing to its changes (for actions). */
export function useClientActions(): DemoClient {
  return useClientContext().client;
}
