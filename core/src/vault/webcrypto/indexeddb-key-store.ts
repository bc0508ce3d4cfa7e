import { KithError } from '../../errors.js';
import type { VaultKeyStore } from './vault-key-store.js';

export interface IndexedDbKeyStoreOptions {
  /** The IndexedDB database holding only the vault key (one per account and device). */
  readonly name: string;
  /** Defaults to `globalThis.indexedDB`; Node tests pass fake-indexeddb's `new IDBFactory()`. */
  readonly indexedDB?: IDBFactory;
}

const STORE = 'keys';
const KEY_ID = 'wrap-key/v1';

const opened = (factory: IDBFactory, name: string): Promise<IDBDatabase> =>
  new Promise((resolve, reject) => {
    const req = factory.open(name, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new KithError('storage_failed', 'cannot open the vault database', { cause: req.error }));
    req.onblocked = () => reject(new KithError('storage_failed', 'the vault database is blocked by another connection'));
  });

/**
 * The vault key in its own tiny IndexedDB database (one object store, one record), stored by
 * structured clone. Browsers keep a non-extractable CryptoKey opaque there; fake-indexeddb 6 on
 * Node 20 clones it too (checked by the vault tests).
 */
export function createIndexedDbKeyStore(options: IndexedDbKeyStoreOptions): VaultKeyStore {
  return {
    async getOrPut(candidate) {
      const factory = options.indexedDB ?? globalThis.indexedDB;
      if (factory === undefined) throw new KithError('storage_failed', 'no IndexedDB in this runtime: pass indexedDB or use another key store');
      const db = await opened(factory, options.name);
      try {
        return await new Promise<CryptoKey>((resolve, reject) => {
          const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
          const store = tx.objectStore(STORE);
          let key = candidate;
          const got = store.get(KEY_ID);
          got.onsuccess = () => {
            if (got.result instanceof CryptoKey) key = got.result;
            else store.put(candidate, KEY_ID);
          };
          tx.oncomplete = () => resolve(key);
          tx.onerror = () => reject(new KithError('storage_failed', 'cannot store the vault key', { cause: tx.error }));
          tx.onabort = () => reject(new KithError('storage_failed', 'storing the vault key was aborted', { cause: tx.error }));
        });
      } finally {
        db.close();
      }
    },
  };
}
