import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { Storage } from '@kith/core';
import type { RelayFetch, Transport } from '../../../core/src/ports/transport.js';
import { createManualClock, createSeededRandom, type ManualClock, type SeededRandom } from '@kith/core/testing';
import { createDexieStorage } from '@kith/core/dexie';
// TODO(exports): createKith, createCrdtBackend, createSodiumCrypto, createIdentity, SecretKey,
// createSyncClient, registerAccount and createMemoryTransport are not exported by @kith/core yet.
import { createCrdtBackend } from '../../../core/src/crdt/index.js';
import { createIdentity, createSodiumCrypto, type Identity } from '../../../core/src/crypto/index.js';
import { SecretKey } from '../../../core/src/crypto/secret-key.js';
import type { DeviceId } from '../../../core/src/ids.js';
import { createKith, type Kith } from '../../../core/src/kith.js';
import type { CryptoPort } from '../../../core/src/ports/crypto.js';
import { createSyncClient, type SyncClient } from '../../../core/src/sync/index.js';
import { registerAccount } from '../../../core/src/sync/relay-http.js';
import { createMemoryTransport, type MemoryTransport } from '../../../core/src/transport/index.js';
import { createMemoryVault } from '../../../core/src/vault/index.js';
import { createFaultLink, type FaultCounters, type FaultLink } from './fault-link.js';
import { createRelayHost, type RelayHost } from './relay-host.js';

export type BackendName = 'yjs' | 'automerge';

/** One device: engine + Dexie store (fake-indexeddb) + sync client + its own link to the relay. */
export interface E2ePeer {
  readonly name: string;
  readonly identity: Identity;
  readonly dbName: string;
  readonly transport: MemoryTransport;
  readonly link: FaultLink;
  storage: Storage;
  kith: Kith;
  sync: SyncClient;
  /** False while partitioned from the relay. */
  online: boolean;
}

export interface E2eWorld {
  readonly relay: RelayHost;
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  readonly backend: BackendName;
  readonly peers: Map<string, E2ePeer>;
  readonly faults: FaultCounters;
  addPeer(name: string, options?: { bundleFrom?: string }): Promise<E2ePeer>;
  peer(name: string): E2ePeer;
  /** Reopens a peer from its own database; `kill` drops the old one mid-flight without cleanup. */
  restart(name: string, options?: { kill?: boolean }): Promise<E2ePeer>;
  setOnline(name: string, online: boolean): void;
  /** Deliver until every online client is connected, quiet and nothing new happens. */
  flush(maxRounds?: number): Promise<number>;
  close(): Promise<void>;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function uuid4(bytes: Uint8Array): string {
  const b = bytes;
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

let crypto: CryptoPort | undefined;

/** A relay outside this process (e.g. a child process): its HTTP and a socket transport to it. */
export interface ExternalRelay {
  readonly fetch: RelayFetch;
  readonly transport: Transport;
}

export async function createE2eWorld(seed: string | number, backendName: BackendName, external?: ExternalRelay): Promise<E2eWorld> {
  crypto ??= await createSodiumCrypto();
  const sodium = crypto;
  const relay = await createRelayHost();
  const indexedDB = new IDBFactory();
  const clock = createManualClock(1_700_000_000_000);
  const random = createSeededRandom(seed);
  const backend = createCrdtBackend(backendName);
  const peers = new Map<string, E2ePeer>();
  const bundles = new Map<string, Uint8Array>();
  const faults: FaultCounters = { frames: 0, dropped: 0, duplicated: 0, reordered: 0 };
  let opened = 0;
  /** Each device's vault key (kept by the platform, so it survives a restart). */
  const vaultKeys = new Map<string, Uint8Array>();
  const vaultKey = (name: string): Uint8Array => {
    let k = vaultKeys.get(name);
    if (k === undefined) vaultKeys.set(name, (k = random.fork(`vault:${name}`).bytes(32)));
    return k;
  };

  const openParts = async (name: string, identity: Identity, dbName: string, transport: MemoryTransport): Promise<Pick<E2ePeer, 'storage' | 'kith' | 'sync'>> => {
    const storage = await createDexieStorage({ name: dbName, indexedDB, IDBKeyRange });
    const n = opened++;
    const kith = await createKith({ user: identity.userId, username: name, device: identity.device, backend, clock, random: random.fork(`kith:${name}:${n}`), storage });
    const sync = await createSyncClient({ kith, identity, crypto: sodium, transport, clock, random: random.fork(`sync:${name}:${n}`), storage, vault: createMemoryVault(sodium, vaultKey(name)), backoff: { baseMs: 100, maxMs: 1000 }, unsafeNoDecodeSandbox: true });
    sync.start();
    return { storage, kith, sync };
  };

  const world: E2eWorld = {
    relay,
    clock,
    random,
    backend: backendName,
    peers,
    faults,
    async addPeer(name, options = {}) {
      const account = options.bundleFrom ?? name;
      let bundle = bundles.get(account);
      if (bundle === undefined) bundles.set(account, (bundle = random.fork(`bundle:${account}`).bytes(64)));
      const device = uuid4(random.fork(`device:${name}`).bytes(16)) as DeviceId;
      const identity = createIdentity(sodium, { device, bundle: new SecretKey(bundle) });
      if (options.bundleFrom === undefined) {
        const r = await registerAccount(external?.fetch ?? relay.fetch, identity, account);
        if (!r.ok && r.error.code !== 'conflict') throw r.error;
      }
      const link = createFaultLink(random.fork(`link:${name}`), faults);
      const memory = createMemoryTransport({ accept: (s) => link.accept(s, (w) => relay.current().relay.connect(w)), fetch: relay.fetch });
      // With an external relay, `online` still cuts this peer off (memory.setOnline) for partitions.
      const transport: MemoryTransport =
        external === undefined
          ? memory
          : {
              get open() {
                return memory.open;
              },
              setOnline: (v) => memory.setOnline(v),
              fetch: external.fetch,
              connect: (h) => external.transport.connect(h),
            };
      const dbName = `kith-${name}`;
      const parts = await openParts(name, identity, dbName, transport);
      const p: E2ePeer = { name, identity, dbName, transport, link, online: true, ...parts };
      peers.set(name, p);
      return p;
    },
    peer(name) {
      const p = peers.get(name);
      if (p === undefined) throw new Error(`no peer ${name}`);
      return p;
    },
    async restart(name, options = {}) {
      const p = world.peer(name);
      if (options.kill === true) {
        // A killed process: nothing more reaches its database, its socket drops.
        void p.storage.close();
        void p.sync.stop().catch(() => undefined);
      } else {
        await p.sync.stop();
        await p.kith.close();
      }
      Object.assign(p, await openParts(name, p.identity, p.dbName, p.transport));
      return p;
    },
    setOnline(name, online) {
      const p = world.peer(name);
      p.online = online;
      p.transport.setOnline(online);
    },
    async flush(maxRounds = 400) {
      let quietRounds = 0;
      for (let round = 0; round < maxRounds; round++) {
        for (const p of peers.values()) p.link.release();
        await relay.current().relay.docs.drain();
        for (let i = 0; i < 3; i++) await turn();
        // Real sockets and a real process: give the I/O a moment (never a wait for sync itself).
        if (external !== undefined) await new Promise((r) => setTimeout(r, 5));
        for (const p of peers.values()) await p.sync.idle();
        const quiet = [...peers.values()].every((p) => p.sync.quiet() && (!p.online || p.sync.state === 'upToDate'));
        quietRounds = quiet ? quietRounds + 1 : 0;
        if (quietRounds >= 3) return round;
        // Let reconnect backoffs and push retries fire.
        clock.advance(quiet ? 0 : 1100);
      }
      const states = [...peers.values()]
        .map((p) => {
          const busy = !p.sync.quiet() || p.sync.state !== 'upToDate';
          const d = busy ? p.sync.describe() : undefined;
          const subs = d === undefined ? '' : ` subs=${JSON.stringify(Object.entries(d.subs).filter(([, v]) => v !== 'ok'))} queued=${d.queued} parked=${d.parked} held=${d.held} online=${p.online} stats=${JSON.stringify(p.sync.stats)}`;
          return `${p.name}:${p.sync.state}:${p.sync.quiet() ? 'quiet' : 'busy'}${p.sync.state === 'gap' ? ` gaps=${JSON.stringify(p.kith.gaps().slice(0, 3))}` : ''}${subs}`;
        })
        .join(' ');
      throw new Error(`flush: clients still busy after ${maxRounds} rounds (${states})`);
    },
    async close() {
      for (const p of peers.values()) {
        await p.sync.stop().catch(() => undefined);
        await p.kith.close().catch(() => undefined);
      }
      await relay.close();
    },
  };
  return world;
}
