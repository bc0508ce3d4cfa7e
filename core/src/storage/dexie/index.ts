// Storage on IndexedDB through Dexie.
export { createDexieStorage } from './dexie-storage.js';
export type { DexieStorageOptions } from './dexie-storage.js';
export { DEXIE_SCHEMA_VERSION } from './dexie-schema.js';
