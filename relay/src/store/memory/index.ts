import type { RelayStore } from '../ports.js';
import { createMemoryAccountStore } from './accounts.js';
import { createMemoryBlobStore } from './blobs.js';
import { createMemoryDocLogStore } from './doc-log.js';

/** A whole relay store in memory (tests, demos). Nothing survives the process. */
export function createMemoryRelayStore(): RelayStore {
  return {
    docs: createMemoryDocLogStore(),
    blobs: createMemoryBlobStore(),
    accounts: createMemoryAccountStore(),
    durability: 'memory',
    close: () => Promise.resolve(),
  };
}

export { createMemoryAccountStore, createMemoryBlobStore, createMemoryDocLogStore };
