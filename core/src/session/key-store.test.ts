import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { encodeHex } from '../protocol/hex.js';
import type { UserId } from '../ids.js';
import type { Storage } from '../ports/storage.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import { createDexieStorage } from '../storage/dexie/index.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createSeededRandom } from '../testing/seeded-random.js';
import { countSecretHits, dumpIndexedDb } from '../testing/secret-scan.js';
import { createIndexedDbKeyStore, createMemoryVault, createWebCryptoVault } from '../vault/index.js';
import { encodeBase64 as toBase64 } from '../protocol/base64.js';
import { loadKeyStore, SYNC_DATA_KEY, type KeyStore } from './key-store.js';

const crypto = await createSodiumCrypto();
const alice = 'u_alice' as UserId;

interface Secrets {
  epochKeys: Uint8Array[];
  rosterKeys: Uint8Array[];
  tokens: string[];
}

/** Fills a key store with `n` of each kind of secret (seeded), committing as the sync client does. */
async function fill(keys: KeyStore, storage: Storage, seed: string, n: number): Promise<Secrets> {
  const random = createSeededRandom(seed);
  const s: Secrets = { epochKeys: [], rosterKeys: [], tokens: [] };
  for (let i = 0; i < n; i++) {
    const scope = `conv:${i % 3}`;
    const ek = random.bytes(32);
    const rk = random.bytes(32);
    const token = encodeHex(random.bytes(24));
    s.epochKeys.push(ek);
    s.rosterKeys.push(rk);
    s.tokens.push(token);
    await storage.commit([
      ...keys.addEpochKey({ scope, epoch: i, removals: 0, createdAt: 1000 + i, createdBy: alice, recipients: [alice], ...(i % 2 === 0 ? { provisional: true } : {}) }, new SecretKey(ek)),
      ...keys.addRosterKey(scope, i, new SecretKey(rk)),
      ...keys.addToken(scope, token),
    ]);
  }
  return s;
}

const hex = encodeHex;

function expectHolds(keys: KeyStore, s: Secrets): void {
  s.epochKeys.forEach((k, i) => expect(hex(keys.keyring.epochKey(`conv:${i % 3}`, i)?.expose() ?? new Uint8Array())).toBe(hex(k)));
  for (let c = 0; c < 3; c++) expect(keys.tokens(`conv:${c}`)).toEqual(s.tokens.filter((_, i) => i % 3 === c));
}

describe('KeyStore persistence is wrapped (ADR 0012, LOC-2)', () => {
  it('round trip: secrets written wrapped read back after a reload with the same vault', async () => {
    const storage = createMemoryStorage();
    const vault = createMemoryVault(crypto);
    const s = await fill(await loadKeyStore(crypto, storage, vault), storage, 'round-trip', 12);
    const again = await loadKeyStore(crypto, storage, vault);
    expectHolds(again, s);
    expect(again.loaded).toEqual({ wrapped: 12 + 12 + 3, migrated: 0, unreadable: 0 });
    const stored = await storage.listMeta('sync/key/');
    expect(stored.every(([, v]) => typeof v === 'object' && v !== null && 'w' in v && !('k' in v))).toBe(true);
  });

  it('a dump of every IndexedDB database (Dexie + WebCrypto vault) holds none of the secret bytes', async () => {
    const idb = new IDBFactory();
    const storage = await createDexieStorage({ name: 'kith-dump', indexedDB: idb, IDBKeyRange });
    const vault = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'kith-dump-vault', indexedDB: idb }) });
    const s = await fill(await loadKeyStore(crypto, storage, vault), storage, 'dump', 20);
    const dump = await dumpIndexedDb(idb);
    const needles = [...s.epochKeys, ...s.rosterKeys, ...s.tokens.map((t) => Uint8Array.from(t.match(/../g) ?? [], (x) => parseInt(x, 16))), ...s.tokens.map((t) => new TextEncoder().encode(t))];
    const found = needles.reduce((n, k) => n + countSecretHits(dump.records, k), 0);
    // Control: the scanner does find a secret that is there in clear.
    expect(countSecretHits([...dump.records, { k: toBase64(s.epochKeys[3]!) }], s.epochKeys[3]!)).toBe(1);
    console.log(`key-store dump: ${dump.databases.length} databases, ${dump.records.length} records scanned for ${needles.length} secrets (${s.epochKeys.length} epoch keys, ${s.rosterKeys.length} roster keys, ${s.tokens.length} tokens): ${found} found`);
    expect(found).toBe(0);
    const reopened = await loadKeyStore(crypto, storage, await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'kith-dump-vault', indexedDB: idb }) }));
    expectHolds(reopened, s);
    await storage.close();
  });

  it('migration: a store written unwrapped by the previous version is read and re-wrapped on open', async () => {
    const idb = new IDBFactory();
    const storage = await createDexieStorage({ name: 'kith-legacy', indexedDB: idb, IDBKeyRange });
    const random = createSeededRandom('legacy');
    const legacy: Secrets = { epochKeys: [], rosterKeys: [], tokens: [] };
    for (let i = 0; i < 5; i++) {
      const ek = random.bytes(32);
      const rk = random.bytes(32);
      const token = hex(random.bytes(24));
      legacy.epochKeys.push(ek);
      legacy.rosterKeys.push(rk);
      legacy.tokens.push(token);
      // The exact shapes key-store.ts wrote before ADR 0012.
      await storage.commit([
        { type: 'putMeta', key: `sync/key/conv:${i % 3}/${i}/h${i}`, value: { scope: `conv:${i % 3}`, epoch: i, removals: 0, createdAt: 5, createdBy: alice, recipients: [alice], k: toBase64(ek), provisional: false, historical: i === 4 } },
        { type: 'putMeta', key: `sync/roster/conv:${i % 3}/${i}/r${i}`, value: { scope: `conv:${i % 3}`, epoch: i, k: toBase64(rk) } },
        { type: 'putMeta', key: `sync/token/conv:${i % 3}`, value: legacy.tokens.filter((_, j) => j % 3 === i % 3) },
      ]);
    }
    const before = await dumpIndexedDb(idb);
    const beforeHits = legacy.epochKeys.reduce((n, k) => n + countSecretHits(before.records, k), 0);
    const vault = createMemoryVault(crypto);
    const opened = await loadKeyStore(crypto, storage, vault);
    expectHolds(opened, legacy);
    expect(opened.keyring.epochKey('conv:1', 4)).toBeDefined();
    expect(opened.loaded).toEqual({ wrapped: 0, migrated: 5 + 5 + 3, unreadable: 0 });
    const after = await dumpIndexedDb(idb);
    const needles = [...legacy.epochKeys, ...legacy.rosterKeys, ...legacy.tokens.map((t) => new TextEncoder().encode(t))];
    const afterHits = needles.reduce((n, k) => n + countSecretHits(after.records, k), 0);
    const reloaded = await loadKeyStore(crypto, storage, vault);
    expectHolds(reloaded, legacy);
    console.log(`key-store migration: ${opened.loaded.migrated} unwrapped entries re-wrapped on open; epoch-key hits in the dump before ${beforeHits}, all secrets after ${afterHits}; reload wrapped=${reloaded.loaded.wrapped} migrated=${reloaded.loaded.migrated}`);
    expect(beforeHits).toBe(5);
    expect(afterHits).toBe(0);
    expect(reloaded.loaded).toEqual({ wrapped: 13, migrated: 0, unreadable: 0 });
    await storage.close();
  });

  it('pending capability claims keep their read token sealed; clear records of earlier versions still read', async () => {
    const storage = createMemoryStorage();
    const keys = await loadKeyStore(crypto, storage, createMemoryVault(crypto));
    const token = hex(createSeededRandom('claim').bytes(24));
    const record = keys.claimRecord('conv:x', token, alice);
    expect(countSecretHits([record], new TextEncoder().encode(token)) + countSecretHits([record], Uint8Array.from(token.match(/../g) ?? [], (x) => parseInt(x, 16)))).toBe(0);
    expect(keys.readClaim('conv:x', record)).toEqual({ token, peer: alice });
    expect(keys.readClaim('conv:y', record)).toBeUndefined(); // bound to its scope
    expect(keys.readClaim('conv:x', { token, peer: alice })).toEqual({ token, peer: alice });
    expect(keys.readClaim('conv:x', { w: 'AAAA' })).toBeUndefined();
  });

  it('another vault cannot open the store (decrypt_failed); an altered entry is skipped, counted unreadable', async () => {
    const storage = createMemoryStorage();
    const vault = createMemoryVault(crypto);
    await fill(await loadKeyStore(crypto, storage, vault), storage, 'tamper', 3);
    await expect(loadKeyStore(crypto, storage, createMemoryVault(crypto))).rejects.toMatchObject({ code: 'decrypt_failed' });
    // Metadata is bound as associated data: promoting a provisional key by editing the record fails.
    const [metaKey, value] = (await storage.listMeta('sync/key/'))[0]!;
    await storage.commit([{ type: 'putMeta', key: metaKey, value: { ...(value as Record<string, never>), provisional: false } }]);
    const wrapped = await storage.getMeta(SYNC_DATA_KEY);
    expect(wrapped).toBeInstanceOf(Uint8Array);
    const keys = await loadKeyStore(crypto, storage, vault);
    expect(keys.loaded).toEqual({ wrapped: 3 + 3 + 3 - 1, migrated: 0, unreadable: 1 });
    expect(keys.keyring.epochKey('conv:0', 0)).toBeUndefined();
  });
});
