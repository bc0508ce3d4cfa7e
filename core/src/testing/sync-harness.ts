import { createCrdtBackend } from '../crdt/index.js';
import { createIdentity, createKith, createSodiumCrypto, createSyncClient, registerAccount, SecretKey } from '../index.js';
import type { CryptoPort, DeviceId, Identity } from '../index.js';
import { formatUuid } from '../ids.js';
import { createFaultLink, type FaultCounters } from './fault-link.js';
import { createFlush } from './harness-flush.js';
import { createMemoryDevices, type HarnessDevice } from './harness-device.js';
import { createManualClock } from './manual-clock.js';
import { createPeerTransport, type PeerTransport } from './peer-transport.js';
import type { RelayHost } from './relay-host.js';
import { createSeededRandom } from './seeded-random.js';
import type { SyncHarness, SyncHarnessOptions, SyncPeer } from './sync-harness-types.js';

/** Where every harness clock starts (an arbitrary fixed instant: 2023-11-14). */
const HARNESS_CLOCK_START = 1_700_000_000_000;

let sharedCrypto: CryptoPort | undefined;

/** A version-4 UUID from 16 seeded bytes (the device id a platform would generate). */
function uuid4(b: Uint8Array): DeviceId {
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return formatUuid(b) as DeviceId;
}

/** Runs N real engines and sync clients against an injected relay (see `SyncHarness`). */
export async function createSyncHarness<R extends RelayHost>(options: SyncHarnessOptions<R>): Promise<SyncHarness<R>> {
  sharedCrypto ??= await createSodiumCrypto();
  const crypto = sharedCrypto;
  const relay = options.relay;
  const clock = createManualClock(HARNESS_CLOCK_START);
  const random = createSeededRandom(options.seed);
  const backendName = options.backend ?? 'yjs';
  const backend = createCrdtBackend(backendName);
  const openDevice = options.devices ?? createMemoryDevices();
  const peers = new Map<string, SyncPeer>();
  const bundles = new Map<string, Uint8Array>();
  /** Each peer's open device, and those of killed peers (freed at close, as the OS would). */
  const devices = new Map<string, HarnessDevice>();
  const killed: HarnessDevice[] = [];
  const faults: FaultCounters = { frames: 0, dropped: 0, duplicated: 0, reordered: 0 };
  let opened = 0;
  /** SYNC-23: internal failures (bugs) the clients reported; any of them fails the next flush. */
  const internalErrors: string[] = [];

  const openParts = async (name: string, identity: Identity, transport: PeerTransport): Promise<Pick<SyncPeer, 'storage' | 'kith' | 'sync'>> => {
    const device = await openDevice({ name, identity, crypto, vaultKey: random.fork(`vault:${name}`).bytes(32) });
    devices.set(name, device);
    const { storage, vault, vet } = device;
    const n = opened++;
    const kith = await createKith({ user: identity.userId, username: name, device: identity.device, backend, clock, random: random.fork(`kith:${name}:${n}`), storage, ...(options.chunkMessages === undefined ? {} : { chunkMessages: options.chunkMessages }) });
    const sync = await createSyncClient({
      kith: options.engineLink?.(name, kith) ?? kith,
      identity,
      crypto,
      transport,
      clock,
      random: random.fork(`sync:${name}:${n}`),
      storage,
      vault,
      backoff: { baseMs: 100, maxMs: 1000 },
      ...(vet === undefined ? { unsafeNoDecodeSandbox: true } : { vet }),
      ...(options.rotation === undefined ? {} : { rotation: options.rotation }),
      ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    });
    sync.onError((e) => void internalErrors.push(`${name} (${e.during}): ${e.error instanceof Error ? (e.error.stack ?? e.error.message) : String(e.error)}`));
    sync.start();
    return { storage, kith, sync };
  };

  const harness: SyncHarness<R> = {
    relay,
    crypto,
    clock,
    random,
    backend: backendName,
    peers,
    faults,
    async addPeer(name, opts = {}) {
      if (peers.has(name)) throw new Error(`addPeer: a peer named ${name} exists`);
      const account = opts.bundleFrom ?? name;
      let bundle = bundles.get(account);
      if (bundle === undefined) bundles.set(account, (bundle = random.fork(`bundle:${account}`).bytes(64)));
      const identity = createIdentity(crypto, { device: uuid4(random.fork(`device:${name}`).bytes(16)), bundle: new SecretKey(bundle) });
      if (opts.bundleFrom === undefined) {
        const r = await registerAccount(relay.fetch, identity, account);
        if (!r.ok && r.error.code !== 'conflict') throw r.error;
      }
      const link = createFaultLink(random.fork(`link:${name}`), faults);
      const transport = createPeerTransport(relay, link);
      const p: SyncPeer = { name, identity, transport, link, online: true, ...(await openParts(name, identity, transport)) };
      peers.set(name, p);
      return p;
    },
    peer(name) {
      const p = peers.get(name);
      if (p === undefined) throw new Error(`no peer ${name}`);
      return p;
    },
    async restart(name, opts = {}) {
      const p = harness.peer(name);
      if (opts.kill === true) {
        // A killed process: nothing more reaches its storage, its socket drops.
        void p.storage.close();
        void p.sync.stop().catch(() => undefined);
        const device = devices.get(name);
        if (device !== undefined) killed.push(device);
      } else {
        await p.sync.stop();
        await p.kith.close();
        devices.get(name)?.close?.();
      }
      Object.assign(p, await openParts(name, p.identity, p.transport));
      return p;
    },
    setOnline(name, online) {
      const p = harness.peer(name);
      p.online = online;
      p.transport.setOnline(online);
    },
    hold: (name, docs) => harness.peer(name).transport.hold(docs),
    release: (name) => harness.peer(name).transport.release(),
    flush: createFlush(relay, clock, peers, options.flushUntil ?? 'quiet', () => internalErrors),
    async until(done, maxFlushes = 20) {
      for (let i = 0; i < maxFlushes; i++) {
        if (await done()) return;
        await harness.flush();
      }
      if (!(await done())) throw new Error(`until: condition still false after ${maxFlushes} flushes`);
    },
    async close() {
      for (const p of peers.values()) {
        await p.sync.stop().catch(() => undefined);
        await p.kith.close().catch(() => undefined);
      }
      for (const d of [...killed, ...devices.values()]) d.close?.();
      await relay.close();
    },
  };
  return harness;
}
