import { createMemoryRelayStore } from '@kith/relay';
import { createTestRelay, type TestRelay } from '@kith/relay/testing';
import { createManualClock, createSeededRandom, type ManualClock, type SeededRandom } from '@kith/core/testing';
import { createCrdtBackend } from '../../../core/src/crdt/index.js';
import { createIdentity, createSodiumCrypto, type Identity, type RotationPolicy } from '../../../core/src/crypto/index.js';
import { SecretKey } from '../../../core/src/crypto/secret-key.js';
import type { DeviceId, UserId } from '../../../core/src/ids.js';
import { createKith, type Kith } from '../../../core/src/kith.js';
import type { CryptoPort } from '../../../core/src/ports/crypto.js';
import type { Storage } from '../../../core/src/ports/storage.js';
import type { Transport } from '../../../core/src/ports/transport.js';
import { createMemoryDatabase, createMemoryStorage, type MemoryDatabase } from '../../../core/src/storage/memory/memory-storage.js';
import { createSyncClient, type SyncClient } from '../../../core/src/sync/index.js';
import { createMemoryVault } from '../../../core/src/vault/index.js';
import { registerAccount } from '../../../core/src/sync/relay-http.js';
import { createMemoryTransport, type MemoryTransport } from '../../../core/src/transport/index.js';

/** One device: its identity, engine, sync client and the storage both share. */
export interface SyncPeer {
  readonly name: string;
  readonly identity: Identity;
  readonly database: MemoryDatabase;
  readonly storage: Storage;
  kith: Kith;
  sync: SyncClient;
}

export interface SyncWorld {
  readonly relay: TestRelay;
  readonly transport: MemoryTransport;
  readonly crypto: CryptoPort;
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  readonly peers: Map<string, SyncPeer>;
  /** Registers `name` at the relay, opens its engine and sync client, connects. */
  addPeer(name: string, options?: { bundleFrom?: string; database?: MemoryDatabase }): Promise<SyncPeer>;
  peer(name: string): SyncPeer;
  /** Reopens a peer from its own storage: the old engine and client are dropped without cleanup. */
  restart(name: string, options?: { kill?: boolean }): Promise<SyncPeer>;
  /**
   * Holds back, at the receiving peer, every relay frame about a document matching `docs` (the
   * relay still stores and sends them) until `release`: e.g. an inbox that arrives late.
   */
  hold(name: string, docs: (doc: string) => boolean): void;
  /** Delivers what `hold` kept, in order, and stops holding. */
  release(name: string): void;
  /** Deliver until every client is quiet and nothing new happens (no sleeps, no timers). */
  flush(maxRounds?: number): Promise<number>;
  close(): Promise<void>;
}

const docOf = (data: string): string | undefined => {
  try {
    const f = JSON.parse(data) as { doc?: unknown };
    return typeof f.doc === 'string' ? f.doc : undefined;
  } catch {
    return undefined;
  }
};

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

export interface SyncWorldOptions {
  /** KEY-6 rotation policy of every peer's sync client. */
  readonly rotation?: RotationPolicy;
  /** Messages per feed chunk of every engine (default 1,000). */
  readonly chunkMessages?: number;
}

export async function createSyncWorld(seed: string | number, worldOptions: SyncWorldOptions = {}): Promise<SyncWorld> {
  const store = createMemoryRelayStore();
  const relay = await createTestRelay({ store, limits: { connRate: 1e9, connBurst: 1e9, accountRate: 1e9, accountBurst: 1e9, ipRate: 1e9, ipBurst: 1e9 } });
  const transport = createMemoryTransport({ accept: (s) => relay.relay.connect(s), fetch: relay.fetch });
  const crypto = await createSodiumCrypto();
  const clock = createManualClock(1_700_000_000_000);
  const random = createSeededRandom(seed);
  const backend = createCrdtBackend('yjs');
  const peers = new Map<string, SyncPeer>();
  const bundles = new Map<string, Uint8Array>();
  const devices = new Map<string, DeviceId>();
  let opened = 0;
  const gates = new Map<string, { match: (doc: string) => boolean; held: Array<() => void> }>();
  /** The shared transport as one peer sees it: frames matching its gate wait for `release`. */
  const gated = (name: string): Transport => ({
    fetch: transport.fetch,
    connect: (handlers) =>
      transport.connect({
        ...handlers,
        onMessage(data) {
          const gate = gates.get(name);
          const doc = gate === undefined ? undefined : docOf(data);
          if (gate !== undefined && doc !== undefined && gate.match(doc)) gate.held.push(() => handlers.onMessage(data));
          else handlers.onMessage(data);
        },
      }),
  });

  const deviceOf = (name: string): DeviceId => {
    let d = devices.get(name);
    if (d === undefined) {
      const b = random.fork(`device:${name}`).bytes(16);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      d = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` as DeviceId;
      devices.set(name, d);
    }
    return d;
  };

  const open = async (name: string, identity: Identity, database: MemoryDatabase): Promise<SyncPeer> => {
    const storage = createMemoryStorage({ database });
    const kith = await createKith({ user: identity.userId, username: name, device: identity.device, backend, clock, random: random.fork(`kith:${name}:${opened++}`), storage, ...(worldOptions.chunkMessages === undefined ? {} : { chunkMessages: worldOptions.chunkMessages }) });
    const sync = await createSyncClient({ kith, identity, crypto, transport: gated(name), clock, random: random.fork(`sync:${name}:${opened}`), storage, vault: createMemoryVault(crypto, random.fork(`vault:${name}`).bytes(32)), backoff: { baseMs: 100, maxMs: 1000 }, unsafeNoDecodeSandbox: true, ...(worldOptions.rotation === undefined ? {} : { rotation: worldOptions.rotation }) });
    sync.start();
    return { name, identity, database, storage, kith, sync };
  };

  const world: SyncWorld = {
    relay,
    transport,
    crypto,
    clock,
    random,
    peers,
    async addPeer(name, options = {}) {
      const account = options.bundleFrom ?? name;
      let bundle = bundles.get(account);
      if (bundle === undefined) bundles.set(account, (bundle = random.fork(`bundle:${account}`).bytes(64)));
      const identity = createIdentity(crypto, { device: deviceOf(name), bundle: new SecretKey(bundle) });
      if (options.bundleFrom === undefined) {
        const r = await registerAccount(relay.fetch, identity, account);
        if (!r.ok && r.error.code !== 'conflict') throw r.error;
      }
      const p = await open(name, identity, options.database ?? createMemoryDatabase());
      peers.set(name, p);
      return p;
    },
    peer(name) {
      const p = peers.get(name);
      if (p === undefined) throw new Error(`no peer ${name}`);
      return p;
    },
    async restart(name, options = {}) {
      const old = world.peer(name);
      if (options.kill === true) {
        // A killed process: its storage is gone at once (nothing more is written), its socket drops.
        void old.storage.close();
        void old.sync.stop().catch(() => undefined);
      } else {
        await old.sync.stop();
        await old.kith.close();
      }
      const p = await open(name, old.identity, old.database);
      peers.set(name, p);
      return p;
    },
    hold(name, docs) {
      gates.set(name, { match: docs, held: [] });
    },
    release(name) {
      const gate = gates.get(name);
      gates.delete(name);
      for (const deliver of gate?.held ?? []) deliver();
    },
    async flush(maxRounds = 400) {
      let quietRounds = 0;
      for (let round = 0; round < maxRounds; round++) {
        await relay.relay.docs.drain();
        for (let i = 0; i < 3; i++) await turn();
        for (const p of peers.values()) await p.sync.idle();
        const quiet = [...peers.values()].every((p) => p.sync.quiet());
        quietRounds = quiet ? quietRounds + 1 : 0;
        if (quietRounds >= 3) return round;
      }
      throw new Error('flush: clients still busy');
    },
    async close() {
      for (const p of peers.values()) {
        await p.sync.stop();
        await p.kith.close();
      }
    },
  };
  return world;
}

export type { UserId };
