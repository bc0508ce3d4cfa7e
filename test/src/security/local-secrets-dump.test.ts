import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createIndexedDbKeyStore, createSodiumCrypto, createWebCryptoVault, saveIdentity, type SecretVault, type Storage } from '@kith/core';
import { createDexieStorage } from '@kith/core/dexie';
import { decodeBase64 } from '@kith/core/protocol';
import { countSecretHits, createSyncHarness, deriveOwnSecrets, dumpIndexedDb, openDataKey, seedFromEnv, SYNC_DATA_KEY, type OpenDevice, type SyncHarness, type SyncPeer } from '@kith/core/testing';
import { createInProcessRelay, type InProcessRelay } from '../harness/relay-host.js';

/**
 * ADR 0012 acceptance: three devices (Dexie on fake-indexeddb, WebCrypto vault in the same
 * IndexedDB) run direct and group conversations with a removal (key rotation); then every record
 * of every database is scanned for every secret the devices hold: 0 found.
 */
let world: SyncHarness<InProcessRelay> | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/**
 * Devices as the web demo keeps them: Dexie and a WebCrypto vault in one IndexedDB, the identity
 * saved in the store (wrapped by the vault). `vaults` gets each device's vault by name.
 */
function webDevices(indexedDB: IDBFactory, vaults: Map<string, SecretVault>): OpenDevice {
  return async ({ name, identity }) => {
    const storage = await createDexieStorage({ name: `kith-${name}`, indexedDB, IDBKeyRange });
    const vault = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: `kith-${name}-vault`, indexedDB }) });
    await saveIdentity(storage, identity, vault);
    vaults.set(name, vault);
    return { storage, vault };
  };
}

const hexBytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** Every secret a device persisted through its KeyStore, read back through its own vault. */
async function persistedSecrets(d: { storage: Storage; vault: SecretVault }): Promise<{ epoch: Uint8Array[]; roster: Uint8Array[]; tokens: Uint8Array[] }> {
  const crypto = await createSodiumCrypto();
  const sealer = await openDataKey(crypto, d.storage, d.vault, SYNC_DATA_KEY);
  const open = (metaKey: string, v: unknown, aad: (o: Record<string, unknown>) => string): Uint8Array => {
    const o = v as Record<string, unknown>;
    const r = sealer.open(decodeBase64(String(o['w']))!, aad(o));
    if (!r.ok) throw r.error;
    return r.value;
  };
  const epoch = (await d.storage.listMeta('sync/key/')).map(([k, v]) =>
    open(k, v, (o) => `${k}\n${JSON.stringify([o['scope'], o['epoch'], o['removals'], o['createdAt'], o['createdBy'], o['recipients'], o['provisional'], o['historical']])}`),
  );
  const roster = (await d.storage.listMeta('sync/roster/')).map(([k, v]) => open(k, v, (o) => `${k}\n${JSON.stringify([o['scope'], o['epoch']])}`));
  const tokens = (await d.storage.listMeta('sync/token/')).flatMap(([k, v]) => (JSON.parse(new TextDecoder().decode(open(k, v, () => k))) as string[]).map(hexBytes));
  return { epoch, roster, tokens };
}

describe('ADR 0012: a database dump of running devices holds no secret', () => {
  it('three devices, direct + group chat + a removal: every record scanned for every key, token and bundle', async () => {
    const seed = seedFromEnv('local-secrets-dump');
    const idb = new IDBFactory();
    const vaults = new Map<string, SecretVault>();
    const w = (world = await createSyncHarness({ seed, relay: await createInProcessRelay(), devices: webDevices(idb, vaults), flushUntil: 'upToDate' }));
    const crypto = w.crypto;
    const secretsOf = (p: SyncPeer): ReturnType<typeof persistedSecrets> => persistedSecrets({ storage: p.storage, vault: vaults.get(p.name)! });

    const [alice, bob] = [await w.addPeer('alice'), await w.addPeer('bob'), await w.addPeer('carol')];
    // Before the first connection: capability claims of the own scopes are pending.
    const early = await dumpIndexedDb(idb);
    const pending = (await alice.storage.listMeta('sync/claim/')).length;
    const ownTokens = deriveOwnSecrets(crypto, alice.identity);
    const earlyHits = [ownTokens.accountToken, ownTokens.profileToken, ownTokens.inboxToken].reduce((n, t) => n + countSecretHits(early.records, hexBytes(t)), 0);
    console.log(`local-secrets before connecting: alice has ${pending} pending claims; her own read tokens found ${earlyHits} times in the dump`);
    expect(earlyHits).toBe(0);
    await w.flush();
    const bobId = await alice.sync.lookup('bob');
    const carolId = await alice.sync.lookup('carol');
    if (!bobId.ok || !carolId.ok) throw new Error('lookup failed');
    const direct = await alice.kith.conversations.openDirect(bobId.value);
    await alice.kith.messages.send(direct.id, 'hi bob');
    const group = await alice.kith.groups.create({ name: 'Trip', members: [bobId.value, carolId.value] });
    await alice.kith.messages.send(group.id, 'hello all');
    await w.flush();
    // Offline: a new direct conversation's capability claim waits in storage for the connection.
    for (const n of ['alice', 'bob', 'carol']) w.setOnline(n, false);
    const offlineDirect = await alice.kith.conversations.openDirect(carolId.value);
    await alice.kith.messages.send(offlineDirect.id, 'queued while offline');
    await alice.sync.idle();
    const waiting = await dumpIndexedDb(idb);
    const claims = (await alice.storage.listMeta('sync/claim/')).length;
    const waitingHits = (await secretsOf(alice)).tokens.reduce((n, t) => n + countSecretHits(waiting.records, t), 0);
    console.log(`local-secrets offline: alice has ${claims} pending claim(s); her read tokens found ${waitingHits} times in the dump`);
    expect(waitingHits).toBe(0);
    for (const n of ['alice', 'bob', 'carol']) w.setOnline(n, true);
    await w.flush();
    await alice.kith.groups.removeMember(group.id, carolId.value);
    await alice.kith.messages.send(group.id, 'after carol left');
    await w.flush();
    expect((await bob.kith.messages.page(group.id)).map((m) => m.text)).toEqual(['hello all', 'after carol left']);
    expect((await bob.kith.messages.page(direct.id)).map((m) => m.text)).toEqual(['hi bob']);

    const needles: Uint8Array[] = [];
    const kinds = { bundles: 0, own: 0, epochKeys: 0, rosterKeys: 0, tokens: 0 };
    for (const d of w.peers.values()) {
      const bundle = d.identity.exportBundle().expose();
      needles.push(bundle, bundle.slice(0, 32), bundle.slice(32));
      kinds.bundles++;
      const own = deriveOwnSecrets(crypto, d.identity);
      needles.push(own.accountKey.expose(), own.profileKey.expose(), hexBytes(own.accountToken), hexBytes(own.profileToken), hexBytes(own.inboxToken));
      kinds.own += 5;
      const p = await secretsOf(d);
      needles.push(...p.epoch, ...p.roster, ...p.tokens);
      kinds.epochKeys += p.epoch.length;
      kinds.rosterKeys += p.roster.length;
      kinds.tokens += p.tokens.length;
    }
    const dump = await dumpIndexedDb(idb);
    const hits = needles.map((n) => countSecretHits(dump.records, n));
    const found = hits.reduce((a, b) => a + b, 0);
    console.log(
      `local-secrets dump (seed ${seed}): ${dump.databases.length} databases, ${dump.records.length} records scanned for ${needles.length} secrets ` +
        `(${kinds.bundles} bundles ×3 views, ${kinds.own} derived own secrets, ${kinds.epochKeys} epoch keys, ${kinds.rosterKeys} roster keys, ${kinds.tokens} read tokens): ${found} found`,
    );
    expect(kinds.epochKeys).toBeGreaterThanOrEqual(3 * 2 + 4); // own account/profile keys are derived; pair keys and both group epochs are stored
    expect(found).toBe(0);
    // Control: the scanner finds a secret stored in clear.
    expect(countSecretHits([...dump.records, { token: alice.identity.userId, t: deriveOwnSecrets(crypto, alice.identity).inboxToken }], hexBytes(deriveOwnSecrets(crypto, alice.identity).inboxToken))).toBe(1);
  });
});
