import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { runVaultConformance } from '../../testing/vault-conformance.js';
import { createIndexedDbKeyStore } from './indexeddb-key-store.js';
import { createMemoryVaultKeyStore } from './vault-key-store.js';
import { createWebCryptoVault } from './webcrypto-vault.js';

const idb = new IDBFactory();
let n = 0;
runVaultConformance('webcrypto + IndexedDB (fake-indexeddb)', () => createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: `vault-${n++}`, indexedDB: idb }) }));
runVaultConformance('webcrypto + memory key store', () => createWebCryptoVault({ keyStore: createMemoryVaultKeyStore() }));

const aad = Uint8Array.of(1, 2, 3);

async function storedKey(factory: IDBFactory, name: string): Promise<unknown> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = factory.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new Error('idb', { cause: r.error }));
  });
  const value = await new Promise<unknown>((resolve, reject) => {
    const r = db.transaction('keys').objectStore('keys').get('wrap-key/v1');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new Error('idb', { cause: r.error }));
  });
  db.close();
  return value;
}

describe('webcrypto vault', () => {
  it('keeps one non-extractable AES-GCM key in IndexedDB across reopenings', async () => {
    const keyStore = createIndexedDbKeyStore({ name: 'reopen', indexedDB: idb });
    const wrapped = await (await createWebCryptoVault({ keyStore })).wrap(Uint8Array.of(42), aad);
    const again = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'reopen', indexedDB: idb }) });
    expect(await again.unwrap(wrapped, aad)).toEqual({ ok: true, value: Uint8Array.of(42) });
    const key = await storedKey(idb, 'reopen');
    expect(key).toBeInstanceOf(CryptoKey);
    const k = key as CryptoKey;
    expect([k.extractable, k.type, k.algorithm.name, [...k.usages].sort()]).toEqual([false, 'secret', 'AES-GCM', ['decrypt', 'encrypt']]);
    await expect(globalThis.crypto.subtle.exportKey('raw', k)).rejects.toThrow();
  });

  it('LOC-1 format 0x01: 0x01 ‖ 12-byte IV ‖ AES-256-GCM ciphertext ‖ tag under the stored key, AD "kith/v1/vault" ‖ 0 ‖ 0x01 ‖ aad', async () => {
    const keyStore = createIndexedDbKeyStore({ name: 'format', indexedDB: idb });
    const plain = new TextEncoder().encode('a secret at rest');
    const wrapped = await (await createWebCryptoVault({ keyStore })).wrap(plain, aad);
    expect(wrapped[0]).toBe(0x01);
    expect(wrapped.length).toBe(1 + 12 + plain.length + 16);
    const key = (await storedKey(idb, 'format')) as CryptoKey;
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    const additionalData = Uint8Array.of(...new TextEncoder().encode('kith/v1/vault'), 0x00, 0x01, ...aad);
    const opened = await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv: wrapped.slice(1, 13), additionalData }, key, wrapped.slice(13));
    expect(new Uint8Array(opened)).toEqual(plain);
    await expect(globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv: wrapped.slice(1, 13), additionalData: aad }, key, wrapped.slice(13))).rejects.toThrow();
  });

  it('two openers racing on a fresh database end up with the same key', async () => {
    const open = (): ReturnType<typeof createWebCryptoVault> => createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'race', indexedDB: idb }) });
    const [a, b] = await Promise.all([open(), open()]);
    expect((await b.unwrap(await a.wrap(Uint8Array.of(5), aad), aad)).ok).toBe(true);
    expect((await a.unwrap(await b.wrap(Uint8Array.of(6), aad), aad)).ok).toBe(true);
  });

  it('a lost vault database means the old values no longer open (decrypt_failed)', async () => {
    const wrapped = await (await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'lost', indexedDB: idb }) })).wrap(Uint8Array.of(1), aad);
    await new Promise<void>((resolve, reject) => {
      const r = idb.deleteDatabase('lost');
      r.onsuccess = () => resolve();
      r.onerror = () => reject(new Error('idb', { cause: r.error }));
    });
    const fresh = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'lost', indexedDB: idb }) });
    const r = await fresh.unwrap(wrapped, aad);
    expect(r.ok ? 'ok' : r.error.code).toBe('decrypt_failed');
  });

  it('without IndexedDB the key store reports storage_failed', async () => {
    const keyStore = createIndexedDbKeyStore({ name: 'x', indexedDB: undefined as unknown as IDBFactory });
    const saved = globalThis.indexedDB;
    try {
      // @ts-expect-error -- simulating a runtime without IndexedDB
      delete globalThis.indexedDB;
      await expect(createWebCryptoVault({ keyStore })).rejects.toThrow(/storage_failed/);
    } finally {
      if (saved !== undefined) globalThis.indexedDB = saved;
    }
  });
});
