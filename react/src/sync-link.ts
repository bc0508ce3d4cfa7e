import type { SyncClient } from '@kith/core';

/** The part of a sync client the hooks use (a `SyncClient` is one). */
export type SyncLink = Pick<SyncClient, 'state' | 'onState' | 'onPresence' | 'onSignal' | 'signal' | 'setPresence'>;
