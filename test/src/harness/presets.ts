import type { CrdtBackendName } from '@kith/core';
import { createSyncHarness, type SyncHarness, type SyncHarnessOptions } from '@kith/core/testing';
import { createChildRelayHost, type ChildRelayHost } from './child-relay-host.js';
import { createAppDevices, createDexieDevices } from './devices.js';
import { createInProcessRelay, type InProcessRelay } from './relay-host.js';

/** The harness over @kith/relay's in-process relay (restartable, can fail writes). */
export type InProcessHarness = SyncHarness<InProcessRelay>;

/**
 * As the convergence, fault and regression suites run it: every device on Dexie
 * (fake-indexeddb), and `flush()` waits until every online client is up to date.
 */
export async function createDexieHarness(seed: string | number, backend: CrdtBackendName, options: Pick<SyncHarnessOptions<InProcessRelay>, 'engineLink' | 'chunkMessages'> = {}): Promise<InProcessHarness> {
  return createSyncHarness({ seed, backend, relay: await createInProcessRelay(), devices: createDexieDevices(), flushUntil: 'upToDate', ...options });
}

/** As the sync suites run it: Yjs, memory storage, and `flush()` until every client is quiet. */
export async function createMemoryHarness(seed: string | number, options: Pick<SyncHarnessOptions<InProcessRelay>, 'rotation' | 'chunkMessages' | 'maxBatch'> = {}): Promise<InProcessHarness> {
  return createSyncHarness({ seed, relay: await createInProcessRelay(), ...options });
}

/** The harness over a relay child process (SQLite, real HTTP and WebSockets). */
export type ChildRelayHarness = SyncHarness<ChildRelayHost>;

/**
 * As an app runs on Node, against a relay CHILD PROCESS: Dexie, a WebCrypto vault and the
 * decode sandbox on every device (`createAppDevices`); `flush()` waits until every online client
 * is up to date. `env` adds relay settings (e.g. KITH_SYNCHRONOUS).
 */
export async function createChildRelayHarness(seed: string | number, env: Record<string, string> = {}): Promise<ChildRelayHarness> {
  return createSyncHarness({ seed, relay: await createChildRelayHost(env), devices: createAppDevices(), flushUntil: 'upToDate' });
}
