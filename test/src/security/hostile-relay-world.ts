import WebSocket from 'ws';
import {
  createDecodeSandbox,
  createIdentity,
  createKith,
  createMemoryDatabase,
  createMemoryStorage,
  createMemoryVault,
  createSodiumCrypto,
  createSyncClient,
  createSystemClock,
  createWebSocketTransport,
  registerAccount,
  SecretKey,
  vetWithSandbox,
  type CrdtBackendName,
  type CryptoPort,
  type DeviceId,
  type Kith,
  type SyncClient,
  type Transport,
  type UserId,
  type WebSocketConstructor,
} from '@kith/core';
import { createCrdtBackend } from '@kith/core/backends';
import { createNodeWorkerHost } from '@kith/core/node';
import { createManualClock, createSeededRandom, type ManualClock } from '@kith/core/testing';
import { createChildRelayHost, type ChildRelayHost } from '../harness/child-relay-host.js';
import { tamperingKith, type Tamper } from '../harness/tampering-kith.js';

/** One device on a real relay (child process, SQLite, WebSockets), with the decode sandbox. */
export interface RelayDevice {
  readonly name: string;
  readonly kith: Kith;
  readonly sync: SyncClient;
  /** Envelopes the relay sent this device (`entry` frames + the entries of `entries` frames), per document. */
  readonly received: Map<string, number>;
}

export interface HostileRelayWorld {
  readonly clock: ManualClock;
  add(name: string, options?: { tamper?: Tamper }): Promise<RelayDevice>;
  device(name: string): RelayDevice;
  user(name: string): UserId;
  lookupAll(): Promise<void>;
  /** Stops or restarts a device's sync client; `settle` waits only for the online ones. */
  setOnline(name: string, online: boolean): Promise<void>;
  /** Delivers until every client is quiet and up to date for three rounds (real sockets: short I/O waits). */
  settle(maxRounds?: number): Promise<void>;
  close(): Promise<void>;
}

let sharedCrypto: CryptoPort | undefined;
const io = (): Promise<void> => new Promise((r) => setTimeout(r, 3));

/**
 * A relay child process and devices made only from public entry points. A device's `tamper`
 * makes it a modified client: crafted changes go into its stream, sealed and pushed by its own
 * sync client under the member's own keys.
 */
export async function createHostileRelayWorld(seed: string, options: { backend?: CrdtBackendName } = {}): Promise<HostileRelayWorld> {
  sharedCrypto ??= await createSodiumCrypto();
  const crypto = sharedCrypto;
  const proc: ChildRelayHost = await createChildRelayHost();
  const clock = createManualClock(1_700_000_000_000);
  const random = createSeededRandom(seed);
  const backend = createCrdtBackend(options.backend ?? 'yjs');
  const devices = new Map<string, RelayDevice & { close(): Promise<void>; user: UserId }>();
  const offline = new Set<string>();
  const fetchNow = (path: string, init?: RequestInit): Promise<Response> => fetch(`${proc.current().url}${path}`, init);
  const world: HostileRelayWorld = {
    clock,
    async add(name, options = {}) {
      const b = random.fork(`device:${name}`).bytes(16);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      const device = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` as DeviceId;
      const identity = createIdentity(crypto, { device, bundle: new SecretKey(random.fork(`bundle:${name}`).bytes(64)) });
      const reg = await registerAccount(fetchNow, identity, name);
      if (!reg.ok) throw reg.error;
      const storage = createMemoryStorage({ database: createMemoryDatabase() });
      const engine = await createKith({ user: identity.userId, username: name, device, backend, clock, random: random.fork(`kith:${name}`), storage });
      // A modified client: the sync client seals what the tamper hook makes of the engine's changes.
      const kith: Kith = options.tamper === undefined ? engine : tamperingKith(engine, options.tamper);
      const received = new Map<string, number>();
      const transport: Transport = {
        fetch: fetchNow,
        connect: (handlers) =>
          createWebSocketTransport({ url: proc.current().url, WebSocket: WebSocket as unknown as WebSocketConstructor }).connect({
            ...handlers,
            onMessage(data) {
              try {
                const f = JSON.parse(typeof data === 'string' ? data : '{}') as { t?: unknown; doc?: unknown; entries?: unknown };
                const n = f.t === 'entry' ? 1 : f.t === 'entries' && Array.isArray(f.entries) ? f.entries.length : 0;
                if (n > 0 && typeof f.doc === 'string') received.set(f.doc, (received.get(f.doc) ?? 0) + n);
              } catch {
                // not ours to judge: the client parses it
              }
              handlers.onMessage(data);
            },
          }),
      };
      const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock: createSystemClock() });
      const sync = await createSyncClient({ kith, identity, crypto, transport, clock, random: random.fork(`sync:${name}`), storage, vault: createMemoryVault(crypto, random.fork(`vault:${name}`).bytes(32)), backoff: { baseMs: 100, maxMs: 1000 }, ...(backend.name === 'yjs' ? { vet: vetWithSandbox(sandbox, identity.userId) } : {}) });
      sync.start();
      const d = {
        name,
        kith: engine,
        sync,
        received,
        user: identity.userId,
        async close() {
          await sync.stop().catch(() => undefined);
          await engine.close().catch(() => undefined);
          sandbox.close();
        },
      };
      devices.set(name, d);
      return d;
    },
    device(name) {
      const d = devices.get(name);
      if (d === undefined) throw new Error(`no device ${name}`);
      return d;
    },
    user(name) {
      const d = devices.get(name);
      if (d === undefined) throw new Error(`no device ${name}`);
      return d.user;
    },
    async lookupAll() {
      for (const a of devices.values()) for (const b of devices.values()) if (a !== b) {
        const r = await a.sync.lookup(b.name);
        if (!r.ok) throw r.error;
      }
    },
    async setOnline(name, on) {
      const d = world.device(name);
      if (on === !offline.has(name)) return;
      if (on) {
        offline.delete(name);
        d.sync.start();
      } else {
        offline.add(name);
        await d.sync.stop();
      }
    },
    async settle(maxRounds = 600) {
      let calm = 0;
      let last = '';
      for (let round = 0; round < maxRounds; round++) {
        const online = [...devices.values()].filter((d) => !offline.has(d.name));
        for (const d of online) await d.sync.idle();
        await io();
        const quiet = online.every((d) => d.sync.quiet() && d.sync.state === 'upToDate');
        const now = JSON.stringify(online.map((d) => [d.sync.stats, d.kith.outbox().length]));
        calm = quiet && now === last ? calm + 1 : 0;
        last = now;
        if (calm >= 3) return;
        if (!quiet) clock.advance(1100);
      }
      throw new Error(`settle: not quiet (${[...devices.values()].filter((d) => !offline.has(d.name)).map((d) => `${d.name}:${d.sync.state} gaps=${d.kith.gaps().length}`).join(' ')})`);
    },
    async close() {
      for (const d of devices.values()) await d.close();
      await proc.close();
    },
  };
  return world;
}
