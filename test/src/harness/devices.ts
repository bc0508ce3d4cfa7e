import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDecodeSandbox, createIndexedDbKeyStore, createMemoryVault, createSystemClock, createWebCryptoVault, vetWithSandbox } from '@kith/core';
import { createDexieStorage } from '@kith/core/dexie';
import { createNodeWorkerHost } from '@kith/core/node';
import type { OpenDevice } from '@kith/core/testing';

/** Devices on Dexie over fake-indexeddb (one IndexedDB per harness; database `kith-<name>`) with a memory vault. */
export function createDexieDevices(): OpenDevice {
  const indexedDB = new IDBFactory();
  return async ({ name, crypto, vaultKey }) => ({
    storage: await createDexieStorage({ name: `kith-${name}`, indexedDB, IDBKeyRange }),
    vault: createMemoryVault(crypto, vaultKey),
  });
}

/**
 * Devices as a Node app runs them: Dexie (fake-indexeddb), a WebCrypto vault whose key sits in
 * IndexedDB, and remote Yjs updates vetted in the decode sandbox (H4) on wall time.
 */
export function createAppDevices(): OpenDevice {
  const indexedDB = new IDBFactory();
  return async ({ name, identity }) => {
    const dbName = `kith-${name}`;
    const storage = await createDexieStorage({ name: dbName, indexedDB, IDBKeyRange });
    const vault = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: `${dbName}-vault`, indexedDB }) });
    const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock: createSystemClock() });
    return { storage, vault, vet: vetWithSandbox(sandbox, identity.userId), close: () => sandbox.close() };
  };
}
