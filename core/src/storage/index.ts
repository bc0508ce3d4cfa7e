// Storage implementations of the port in ports/storage.ts. The Dexie one is exported from
// ./dexie/index.ts (lint keeps Dexie imports inside storage/dexie).
export { createMemoryStorage, createMemoryDatabase } from './memory/memory-storage.js';
export type { MemoryDatabase, MemoryStorageOptions } from './memory/memory-storage.js';
export { isStoredValue } from './prepare-writes.js';
