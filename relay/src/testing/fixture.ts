import { createManualClock, type ManualClock } from '@kith/core/testing';
import type { RelayLimits } from '../config.js';
import { createRelayApp, type RelayApp } from '../app.js';
import { createMemoryLogger } from '../ops/logger.js';
import { createMemoryRelayStore } from '../store/memory/index.js';
import type { RelayDeps } from '../relay.js';
import type { RelayStore } from '../store/ports.js';
import type { RelayFetch } from './client.js';

export interface TestRelay extends RelayApp {
  readonly fetch: RelayFetch;
  readonly clock: ManualClock;
  readonly logs: string[];
}

/** A relay on a memory store (unless given one), a manual clock and captured logs. */
export async function createTestRelay(options: { store?: RelayStore; limits?: Partial<RelayLimits>; cluster?: RelayDeps['cluster'] } = {}): Promise<TestRelay> {
  const clock = createManualClock();
  const logger = createMemoryLogger();
  const r = await createRelayApp({
    store: options.store ?? createMemoryRelayStore(),
    clock,
    logger,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
  });
  return { ...r, clock, logs: logger.lines, fetch: async (path, init) => r.app.request(path, init) };
}
