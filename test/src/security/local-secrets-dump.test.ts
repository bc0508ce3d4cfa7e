import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { saveIdentity } from '../../../core/src/account/index.js';
import { createCrdtBackend } from '../../../core/src/crdt/index.js';
import { createIdentity, type Identity } from '../../../core/src/crypto/identity.js';
import { SecretKey } from '../../../core/src/crypto/secret-key.js';
import { createSodiumCrypto } from '../../../core/src/crypto/sodium/sodium-crypto.js';
import type { DeviceId } from '../../../core/src/ids.js';
import { createKith, type Kith } from '../../../core/src/kith.js';
import type { Storage } from '../../../core/src/ports/storage.js';
import type { SecretVault } from '../../../core/src/ports/vault.js';
import { createDexieStorage } from '../../../core/src/storage/dexie/index.js';
import { decodeBase64 as fromBase64 } from '@kith/core/protocol';
import { createSyncClient, type SyncClient } from '../../../core/src/sync/index.js';
import { SYNC_DATA_KEY } from '../../../core/src/session/key-store.js';
import { deriveOwnSecrets } from '../../../core/src/session/own-secrets.js';
import { registerAccount } from '../../../core/src/sync/relay-http.js';
import { createManualClock } from '../../../core/src/testing/manual-clock.js';
import { countSecretHits, dumpIndexedDb } from '@kith/core/testing';
import { createSeededRandom, seedFromEnv } from '../../../core/src/testing/seeded-random.js';
import { createMemoryTransport } from '../../../core/src/transport/index.js';
import { createIndexedDbKeyStore, createWebCryptoVault, openDataKey } from '../../../core/src/vault/index.js';
import { createRelayHost, type RelayHost } from '../harness/relay-host.js';

/**
 * ADR 0012 acceptance: three devices (Dexie on fake-indexeddb, WebCrypto vault in the same
 * IndexedDB) run direct and group conversations with a removal (key rotation); then every record
 * of every database is scanned for every secret the devices hold: 0 found.
 */
interface Device {
  name: string;
  identity: Identity;
  storage: Storage;
  vault: SecretVault;
  kith: Kith;
  sync: SyncClient;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const hexBytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** Every secret a device persisted through its KeyStore, read back through its own vault. */
async function persistedSecrets(d: Device): Promise<{ epoch: Uint8Array[]; roster: Uint8Array[]; tokens: Uint8Array[] }> {
  const crypto = await createSodiumCrypto();
  const sealer = await openDataKey(crypto, d.storage, d.vault, SYNC_DATA_KEY);
  const open = (metaKey: string, v: unknown, aad: (o: Record<string, unknown>) => string): Uint8Array => {
    const o = v as Record<string, unknown>;
    const r = sealer.open(fromBase64(String(o['w']))!, aad(o));
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
    const random = createSeededRandom(seed);
    const crypto = await createSodiumCrypto();
    const clock = createManualClock(1_700_000_000_000);
    const idb = new IDBFactory();
    const relay: RelayHost = await createRelayHost();
    const transport = createMemoryTransport({ accept: (s) => relay.current().relay.connect(s), fetch: relay.fetch });
    const devices: Device[] = [];
    close = async () => {
      for (const d of devices) {
        await d.sync.stop().catch(() => undefined);
        await d.kith.close().catch(() => undefined);
      }
      await relay.close();
    };
    const add = async (name: string): Promise<Device> => {
      const device = `${Array.from(random.fork(`dev:${name}`).bytes(4), (x) => x.toString(16).padStart(2, '0')).join('')}-0000-4000-8000-000000000000` as DeviceId;
      const identity = createIdentity(crypto, { device, bundle: new SecretKey(random.fork(`bundle:${name}`).bytes(64)) });
      const r = await registerAccount(relay.fetch, identity, name);
      if (!r.ok) throw r.error;
      const storage = await createDexieStorage({ name: `kith-${name}`, indexedDB: idb, IDBKeyRange });
      const vault = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: `kith-${name}-vault`, indexedDB: idb }) });
      await saveIdentity(storage, identity, vault);
      const kith = await createKith({ user: identity.userId, username: name, device, backend: createCrdtBackend('yjs'), clock, random: random.fork(`kith:${name}`), storage });
      const sync = await createSyncClient({ kith, identity, crypto, transport, clock, random: random.fork(`sync:${name}`), storage, vault, unsafeNoDecodeSandbox: true });
      sync.start();
      const d = { name, identity, storage, vault, kith, sync };
      devices.push(d);
      return d;
    };
    const flush = async (): Promise<void> => {
      let quiet = 0;
      for (let round = 0; round < 400 && quiet < 3; round++) {
        await relay.current().relay.docs.drain();
        for (let i = 0; i < 3; i++) await turn();
        for (const d of devices) await d.sync.idle();
        quiet = devices.every((d) => d.sync.quiet() && d.sync.state === 'upToDate') ? quiet + 1 : 0;
        clock.advance(quiet > 0 ? 0 : 1100);
      }
      expect(quiet).toBe(3);
    };

    const [alice, bob] = [await add('alice'), await add('bob'), await add('carol')];
    // Before the first connection: capability claims of the own scopes are pending.
    const early = await dumpIndexedDb(idb);
    const pending = (await alice.storage.listMeta('sync/claim/')).length;
    const ownTokens = deriveOwnSecrets(crypto, alice.identity);
    const earlyHits = [ownTokens.accountToken, ownTokens.profileToken, ownTokens.inboxToken].reduce((n, t) => n + countSecretHits(early.records, hexBytes(t)), 0);
    console.log(`local-secrets before connecting: alice has ${pending} pending claims; her own read tokens found ${earlyHits} times in the dump`);
    expect(earlyHits).toBe(0);
    await flush();
    const bobId = await alice.sync.lookup('bob');
    const carolId = await alice.sync.lookup('carol');
    if (!bobId.ok || !carolId.ok) throw new Error('lookup failed');
    const direct = await alice.kith.conversations.openDirect(bobId.value);
    await alice.kith.messages.send(direct.id, 'hi bob');
    const group = await alice.kith.groups.create({ name: 'Trip', members: [bobId.value, carolId.value] });
    await alice.kith.messages.send(group.id, 'hello all');
    await flush();
    // Offline: a new direct conversation's capability claim waits in storage for the connection.
    transport.setOnline(false);
    const offlineDirect = await alice.kith.conversations.openDirect(carolId.value);
    await alice.kith.messages.send(offlineDirect.id, 'queued while offline');
    await alice.sync.idle();
    const waiting = await dumpIndexedDb(idb);
    const claims = (await alice.storage.listMeta('sync/claim/')).length;
    const waitingHits = (await persistedSecrets(alice)).tokens.reduce((n, t) => n + countSecretHits(waiting.records, t), 0);
    console.log(`local-secrets offline: alice has ${claims} pending claim(s); her read tokens found ${waitingHits} times in the dump`);
    expect(waitingHits).toBe(0);
    transport.setOnline(true);
    await flush();
    await alice.kith.groups.removeMember(group.id, carolId.value);
    await alice.kith.messages.send(group.id, 'after carol left');
    await flush();
    expect((await bob.kith.messages.page(group.id)).map((m) => m.text)).toEqual(['hello all', 'after carol left']);
    expect((await bob.kith.messages.page(direct.id)).map((m) => m.text)).toEqual(['hi bob']);

    const needles: Uint8Array[] = [];
    const kinds = { bundles: 0, own: 0, epochKeys: 0, rosterKeys: 0, tokens: 0 };
    for (const d of devices) {
      const bundle = d.identity.exportBundle().expose();
      needles.push(bundle, bundle.slice(0, 32), bundle.slice(32));
      kinds.bundles++;
      const own = deriveOwnSecrets(crypto, d.identity);
      needles.push(own.accountKey.expose(), own.profileKey.expose(), hexBytes(own.accountToken), hexBytes(own.profileToken), hexBytes(own.inboxToken));
      kinds.own += 5;
      const p = await persistedSecrets(d);
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
