import { runStorageConformance } from '../../testing/storage-conformance.js';
import { createMemoryDatabase, createMemoryStorage, type MemoryDatabase } from './memory-storage.js';

const databases = new Map<string, MemoryDatabase>();

runStorageConformance(
  'memory',
  (key) => {
    let database = databases.get(key);
    if (database === undefined) {
      database = createMemoryDatabase();
      databases.set(key, database);
    }
    return createMemoryStorage({ database });
  },
  { reopen: true },
);
