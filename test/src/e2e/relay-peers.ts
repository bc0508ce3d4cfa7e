import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import WebSocket from 'ws';
import {
  createCrdtBackend,
  createDecodeSandbox,
  createIdentity,
  createKith,
  createSodiumCrypto,
  createSyncClient,
  createSystemClock,
  createWebSocketTransport,
  registerAccount,
  SecretKey,
  vetWithSandbox,
  type CryptoPort,
  type DeviceId,
  type Identity,
  type Kith,
  type Storage,
  type SyncClient,
  type WebSocketConstructor,
} from '@kith/core';
import { createDexieStorage } from '@kith/core/dexie';
import { createNodeWorkerHost } from '@kith/core/node';
import { createManualClock, createSeededRandom, type ManualClock, type SeededRandom } from '@kith/core/testing';
import type { RelayFetch, Transport } from '../../../core/src/ports/transport.js';
import type { ChildRelay } from '../../../relay/src/server/child-relay.js';
import { startRelayProcess, stopRelayProcess } from './relay-process.js';
// TODO(exports): the vault implementations are not exported by @kith/core yet.
import { createIndexedDbKeyStore, createWebCryptoVault } from '../../../core/src/vault/index.js';

/** One Node device as an app would run it: engine + Dexie (fake-indexeddb) + decode sandbox + sync client over WebSockets. */
export interface RelayPeer {
  readonly name: string;
  readonly identity: Identity;
  readonly dbName: string;
  storage: Storage;
  kith: Kith;
  sync: SyncClient;
  close(): Promise<void>;
}

export interface RelayPeersOptions {
  readonly seed: string | number;
  /** Extra relay environment (e.g. KITH_SYNCHRONOUS). */
  readonly env?: Record<string, string>;
}

/**
 * Peers of a relay CHILD PROCESS (SQLite in a temp dir) over real HTTP + WebSockets. Engines and
 * sync clients run on a manual clock (ids, timestamps, backoff); the decode sandbox's time budget
 * is wall time. Every peer follows whichever relay process runs now.
 */
export interface RelayPeers {
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  readonly peers: Map<string, RelayPeer>;
  relay(): ChildRelay;
  readonly fetch: RelayFetch;
  /** Registers `name` (or a new device of `bundleFrom`'s account), opens and starts it. */
  add(name: string, options?: { bundleFrom?: string }): Promise<RelayPeer>;
  peer(name: string): RelayPeer;
  /** Reopens from its own database; `kill` drops the old one mid-flight (no cleanup, nothing more written). */
  restart(name: string, options?: { kill?: boolean }): Promise<RelayPeer>;
  /** Offline: stops the peer's sync client (the engine keeps working); online: starts it again. */
  setOnline(name: string, online: boolean): Promise<void>;
  /** SIGKILL (or SIGTERM) the relay and start a new process on the same database. */
  restartRelay(kill?: boolean): Promise<void>;
  /** Delivers until every running client is quiet and nothing new arrived for three rounds. */
  settle(maxRounds?: number): Promise<number>;
  /** `settle` until `done` holds (a frame the relay has not forwarded yet is invisible to quiet()). */
  until(done: () => boolean | Promise<boolean>, maxSettles?: number): Promise<void>;
  close(): Promise<void>;
}

let sharedCrypto: CryptoPort | undefined;
const io = (): Promise<void> => new Promise((r) => setTimeout(r, 2));

function uuid4(b: Uint8Array): DeviceId {
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` as DeviceId;
}

export async function createRelayPeers(options: RelayPeersOptions): Promise<RelayPeers> {
  sharedCrypto ??= await createSodiumCrypto();
  const crypto = sharedCrypto;
  const proc = await startRelayProcess(options.env);
  const clock = createManualClock(1_700_000_000_000);
  const random = createSeededRandom(options.seed);
  const indexedDB = new IDBFactory();
  const backend = createCrdtBackend('yjs');
  const peers = new Map<string, RelayPeer>();
  const bundles = new Map<string, Uint8Array>();
  const running = new Set<string>();
  let opened = 0;
  const fetchNow: RelayFetch = (path, init) => fetch(`${proc.current().url}${path}`, init);
  const transport: Transport = {
    fetch: fetchNow,
    connect: (h) => createWebSocketTransport({ url: proc.current().url, WebSocket: WebSocket as unknown as WebSocketConstructor }).connect(h),
  };

  const open = async (name: string, identity: Identity, dbName: string): Promise<RelayPeer> => {
    const n = opened++;
    const storage = await createDexieStorage({ name: dbName, indexedDB, IDBKeyRange });
    const kith = await createKith({ user: identity.userId, username: name, device: identity.device, backend, clock, random: random.fork(`kith:${name}:${n}`), storage });
    // Remote Yjs updates are vetted in the decode sandbox, as an app does (H4).
    const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock: createSystemClock() });
    const vet = vetWithSandbox(sandbox, identity.userId);
    const sync = await createSyncClient({ kith, identity, crypto, transport, clock, random: random.fork(`sync:${name}:${n}`), storage, vault: await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: `${dbName}-vault`, indexedDB }) }), backoff: { baseMs: 100, maxMs: 1000 }, vet });
    sync.start();
    running.add(name);
    const peer: RelayPeer = {
      name,
      identity,
      dbName,
      storage,
      kith,
      sync,
      async close() {
        running.delete(name);
        await sync.stop().catch(() => undefined);
        await kith.close().catch(() => undefined);
        sandbox.close();
      },
    };
    return peer;
  };

  const settle = async (maxRounds = 600): Promise<number> => {
    let calm = 0;
    let last = '';
    for (let round = 0; round < maxRounds; round++) {
      const live = [...peers.values()].filter((p) => running.has(p.name));
      for (const p of live) await p.sync.idle();
      await io();
      const quiet = live.every((p) => p.sync.quiet() && p.sync.state === 'upToDate');
      const now = JSON.stringify(live.map((p) => [p.sync.stats, p.kith.outbox().length]));
      calm = quiet && now === last ? calm + 1 : 0;
      last = now;
      if (calm >= 3) return round;
      // Let reconnect backoffs and push retries fire.
      if (!quiet) clock.advance(1100);
    }
    const states = [...peers.values()].map((p) => `${p.name}:${p.sync.state}:${p.sync.quiet() ? 'quiet' : 'busy'} gaps=${JSON.stringify(p.kith.gaps().slice(0, 2))}`);
    throw new Error(`settle: not quiet after ${maxRounds} rounds (${states.join(' ')})`);
  };

  const world: RelayPeers = {
    clock,
    random,
    peers,
    relay: () => proc.current(),
    fetch: fetchNow,
    async add(name, opts = {}) {
      const account = opts.bundleFrom ?? name;
      let bundle = bundles.get(account);
      if (bundle === undefined) bundles.set(account, (bundle = random.fork(`bundle:${account}`).bytes(64)));
      const identity = createIdentity(crypto, { device: uuid4(random.fork(`device:${name}`).bytes(16)), bundle: new SecretKey(bundle) });
      if (opts.bundleFrom === undefined) {
        const r = await registerAccount(fetchNow, identity, account);
        if (!r.ok) throw r.error;
      }
      const p = await open(name, identity, `kith-${name}`);
      peers.set(name, p);
      return p;
    },
    peer(name) {
      const p = peers.get(name);
      if (p === undefined) throw new Error(`no peer ${name}`);
      return p;
    },
    async restart(name, opts = {}) {
      const old = world.peer(name);
      if (opts.kill === true) {
        running.delete(name);
        void old.storage.close();
        void old.sync.stop().catch(() => undefined);
      } else {
        await old.close();
      }
      const p = await open(name, old.identity, old.dbName);
      peers.set(name, p);
      return p;
    },
    async setOnline(name, online) {
      const p = world.peer(name);
      if (online) {
        running.add(name);
        p.sync.start();
      } else {
        running.delete(name);
        await p.sync.stop();
      }
    },
    restartRelay: (kill = false) => proc.restart(kill),
    settle,
    async until(done, maxSettles = 20) {
      for (let i = 0; i < maxSettles; i++) {
        if (await done()) return;
        await settle();
      }
      if (!(await done())) throw new Error(`until: condition still false after ${maxSettles} settles`);
    },
    async close() {
      for (const p of peers.values()) await p.close();
      await stopRelayProcess(proc);
    },
  };
  return world;
}
