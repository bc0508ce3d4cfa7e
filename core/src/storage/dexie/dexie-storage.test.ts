import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { runStorageConformance } from '../../testing/storage-conformance.js';
import { createDexieStorage } from './dexie-storage.js';

// One private fake IndexedDB for this file: no globals touched, names reopen within it.
const indexedDB = new IDBFactory();

runStorageConformance('dexie (fake-indexeddb)', (name) => createDexieStorage({ name, indexedDB, IDBKeyRange }), {
  reopen: true,
});
