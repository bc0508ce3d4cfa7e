import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createIdentity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import type { DeviceId } from '../ids.js';
import { decodeHex } from '../protocol/hex.js';
import { createDexieStorage } from '../storage/dexie/index.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { deriveOwnSecrets } from '../session/own-secrets.js';
import { createSeededRandom } from '../testing/seeded-random.js';
import { countSecretHits, dumpIndexedDb } from '../testing/secret-scan.js';
import { createIndexedDbKeyStore, createMemoryVault, createWebCryptoVault } from '../vault/index.js';
import { loadIdentity, saveIdentity } from './account.js';

const crypto = await createSodiumCrypto();
const device = '22222222-2222-4222-8222-222222222222' as DeviceId;
const identityOf = (seed: string): ReturnType<typeof createIdentity> => createIdentity(crypto, { device, bundle: new SecretKey(createSeededRandom(seed).bytes(64)) });

describe('the identity bundle is kept wrapped on the device (ADR 0012, LOC-3)', () => {
  it('save then load with the same vault restores the identity; nothing stored is ok(undefined)', async () => {
    const storage = createMemoryStorage();
    const vault = createMemoryVault(crypto);
    expect(await loadIdentity(crypto, storage, vault)).toEqual({ ok: true, value: undefined });
    const alice = identityOf('alice');
    await saveIdentity(storage, alice, vault);
    const back = await loadIdentity(crypto, storage, vault);
    expect(back.ok && back.value?.userId).toBe(alice.userId);
    expect(back.ok && back.value?.device).toBe(device);
    expect(await storage.getMeta('account/bundle')).toBeUndefined();
  });

  it('a dump of the Dexie database and the vault database holds no byte of the bundle or of secrets derived from it', async () => {
    const idb = new IDBFactory();
    const storage = await createDexieStorage({ name: 'kith-acct', indexedDB: idb, IDBKeyRange });
    const vault = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'kith-acct-vault', indexedDB: idb }) });
    const alice = identityOf('alice-dump');
    await saveIdentity(storage, alice, vault);
    const own = deriveOwnSecrets(crypto, alice);
    const needles = [alice.exportBundle().expose(), alice.exportBundle().expose().slice(0, 32), alice.exportBundle().expose().slice(32), own.accountKey.expose(), own.profileKey.expose(), decodeHex(own.accountToken)!, decodeHex(own.inboxToken)!];
    const dump = await dumpIndexedDb(idb);
    const found = needles.reduce((n, k) => n + countSecretHits(dump.records, k), 0);
    console.log(`identity dump: ${dump.databases.length} databases, ${dump.records.length} records scanned for ${needles.length} secrets (bundle, its halves, derived keys and tokens): ${found} found`);
    expect(found).toBe(0);
    expect(countSecretHits([...dump.records, alice.exportBundle().expose()], needles[0]!)).toBe(1);
    const again = await loadIdentity(crypto, storage, await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'kith-acct-vault', indexedDB: idb }) }));
    expect(again.ok && again.value?.userId).toBe(alice.userId);
    await storage.close();
  });

  it('migration: a bundle stored in clear by the previous version is loaded, wrapped and the clear copy deleted', async () => {
    const idb = new IDBFactory();
    const storage = await createDexieStorage({ name: 'kith-legacy-acct', indexedDB: idb, IDBKeyRange });
    const alice = identityOf('alice-legacy');
    await storage.commit([
      { type: 'putMeta', key: 'account/bundle', value: alice.exportBundle().expose() },
      { type: 'putMeta', key: 'account/device', value: device },
    ]);
    const before = countSecretHits((await dumpIndexedDb(idb)).records, alice.exportBundle().expose());
    const vault = createMemoryVault(crypto);
    const loaded = await loadIdentity(crypto, storage, vault);
    expect(loaded.ok && loaded.value?.userId).toBe(alice.userId);
    const after = countSecretHits((await dumpIndexedDb(idb)).records, alice.exportBundle().expose());
    console.log(`identity migration: bundle hits in the dump before ${before}, after ${after}`);
    expect([before, after]).toEqual([1, 0]);
    expect(await storage.getMeta('account/bundle')).toBeUndefined();
    expect(await storage.getMeta('account/bundle-wrapped')).toBeInstanceOf(Uint8Array);
    const reloaded = await loadIdentity(crypto, storage, vault);
    expect(reloaded.ok && reloaded.value?.userId).toBe(alice.userId);
    await storage.close();
  });

  it('another vault, a tampered value or another device id give typed errors (never the identity)', async () => {
    const storage = createMemoryStorage();
    const vault = createMemoryVault(crypto);
    await saveIdentity(storage, identityOf('bob'), vault);
    const code = async (v = vault): Promise<string> => {
      const r = await loadIdentity(crypto, storage, v);
      return r.ok ? `ok:${r.value === undefined ? 'none' : 'identity'}` : r.error.code;
    };
    const codes: Record<string, string> = { otherVault: await code(createMemoryVault(crypto)) };
    const wrapped = (await storage.getMeta('account/bundle-wrapped')) as Uint8Array;
    const flipped = wrapped.slice();
    flipped[10] = flipped[10]! ^ 1;
    await storage.commit([{ type: 'putMeta', key: 'account/bundle-wrapped', value: flipped }]);
    codes['tampered'] = await code();
    await storage.commit([
      { type: 'putMeta', key: 'account/bundle-wrapped', value: wrapped },
      { type: 'putMeta', key: 'account/device', value: '33333333-3333-4333-8333-333333333333' },
    ]);
    codes['otherDevice'] = await code();
    await storage.commit([{ type: 'putMeta', key: 'account/device', value: 'not-a-device' }]);
    codes['badDevice'] = await code();
    expect(codes).toEqual({ otherVault: 'decrypt_failed', tampered: 'decrypt_failed', otherDevice: 'decrypt_failed', badDevice: 'malformed' });
  });
});
