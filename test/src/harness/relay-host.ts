import type { RelayHost } from '@kith/core/testing';
import { createMemoryRelayStore, type RelayStore } from '@kith/relay';
import { createTestRelay, type RelayFetch, type TestRelay } from '@kith/relay/testing';

/**
 * @kith/relay's relay in this process, as the harness's `RelayHost`: restartable on the same
 * store (the store outlives the process, like its database file), and its store can be made to
 * fail writes (a full or broken disk).
 */
export interface InProcessRelay extends Extract<RelayHost, { kind: 'in-process' }> {
  readonly store: RelayStore;
  current(): TestRelay;
  /** HTTP to whichever relay is running now. */
  readonly fetch: RelayFetch;
  /** Graceful restart: the old relay shuts down (sockets close 1001), a new one opens the store. */
  restart(): Promise<void>;
  /** Every document append rejects until turned off (the relay must then not acknowledge). */
  setFailWrites(fail: boolean): void;
  readonly stats: { restarts: number; failedAppends: number; appended: number };
}

const LIMITS = { connRate: 1e9, connBurst: 1e9, accountRate: 1e9, accountBurst: 1e9, ipRate: 1e9, ipBurst: 1e9 };

export async function createInProcessRelay(): Promise<InProcessRelay> {
  const inner = createMemoryRelayStore();
  let failWrites = false;
  const stats = { restarts: 0, failedAppends: 0, appended: 0 };
  const store: RelayStore = {
    accounts: inner.accounts,
    blobs: inner.blobs,
    durability: inner.durability,
    docs: {
      append: async (batch) => {
        if (failWrites) {
          stats.failedAppends += batch.length;
          throw new Error('injected: disk write failed');
        }
        const out = await inner.docs.append(batch);
        stats.appended += out.filter((o) => o.status === 'stored').length;
        return out;
      },
      read: (doc, after, limit) => inner.docs.read(doc, after, limit),
      compact: (doc, keep, through) => inner.docs.compact(doc, keep, through),
      storedBytes: () => inner.docs.storedBytes(),
      compactedBytes: () => inner.docs.compactedBytes(),
      maxSeq: () => inner.docs.maxSeq(),
    },
    // The "process" closes its handle; the data stays, as a database file would.
    close: () => Promise.resolve(),
  };
  let relay = await createTestRelay({ store, limits: LIMITS });
  return {
    kind: 'in-process',
    store,
    fetch: (path, init) => relay.fetch(path, init),
    accept: (socket) => relay.relay.connect(socket),
    drain: () => relay.relay.docs.drain(),
    stats,
    current: () => relay,
    async restart() {
      const old = relay;
      relay = await createTestRelay({ store, limits: LIMITS });
      await old.relay.shutdown();
      stats.restarts++;
    },
    setFailWrites(fail) {
      failWrites = fail;
    },
    async close() {
      await relay.relay.shutdown();
    },
  };
}
