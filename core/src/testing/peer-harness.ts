import type { CrdtBackend } from '../ports/crdt.js';
import type { DeviceId, UserId } from '../ids.js';
import type { Kith } from '../kith.js';
import type { MemoryDatabase } from '../storage/memory/memory-storage.js';
import type { Storage } from '../ports/storage.js';
import type { ManualClock } from './manual-clock.js';
import type { SeededRandom } from './seeded-random.js';
import type { SimNetwork } from './sim-network-types.js';
import type { HubFrame, MemoryHub } from './memory-hub.js';
import { deriveUuid, deriveUserId } from '../ids.js';
import { createKith } from '../kith.js';
import { createMemoryDatabase, createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createManualClock } from './manual-clock.js';
import { createSeededRandom } from './seeded-random.js';
import { createSimNetwork } from './sim-network.js';
import { createMemoryHub, describeHubFrame, INBOX } from './memory-hub.js';

/** A peer is one device; `sameUserAs` makes it a second device of another peer's user. */
export type PeerSpec = string | { readonly name: string; readonly sameUserAs?: string };

export interface PeerHarnessOptions {
  readonly backend: CrdtBackend;
  readonly seed: string | number;
  readonly peers: readonly PeerSpec[];
  readonly chunkMessages?: number;
  /** Feed chunks each engine keeps in memory besides each author's newest (KithOptions). */
  readonly maxLoadedChunks?: number;
  /** Wraps each storage a peer opens (a test slows or watches it; default: as it is). */
  readonly wrapStorage?: (name: string, storage: Storage) => Storage;
}

export interface HarnessPeer {
  readonly name: string;
  readonly user: UserId;
  readonly device: DeviceId;
  kith: Kith;
  readonly database: MemoryDatabase;
  /** Hub log index up to which each channel (inbox or prefix) has been pulled completely. */
  readonly cursors: Map<string, number>;
  /** Receives that were not duplicates (progress measure for flush). */
  fresh: number;
}

export interface PeerHarness {
  readonly peers: ReadonlyMap<string, HarnessPeer>;
  readonly hub: MemoryHub;
  readonly net: SimNetwork<HubFrame>;
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  peer(name: string): Kith;
  user(name: string): UserId;
  /** Deliver until quiet, then anti-entropy rounds (resend unacknowledged, pull every channel)
   *  until no peer learns anything new. Faults are off during flush; heal partitions first. */
  flush(): Promise<void>;
  /**
   * Close a peer and reopen it from its own storage (a device restart). `kill`: the old engine
   * is dropped mid-flight instead — its storage closes at once, so nothing it had not committed
   * yet (an asynchronous load, a queued write) reaches storage, as when the process dies.
   */
  restart(name: string, options?: { readonly kill?: boolean }): Promise<Kith>;
  /** Push outboxes and pull every channel once (what a reconnect does). */
  sync(name: string): void;
  close(): Promise<void>;
}

const HUB = 'hub';

export async function createPeerHarness(options: PeerHarnessOptions): Promise<PeerHarness> {
  const random = createSeededRandom(options.seed);
  const clock = createManualClock();
  const hub = createMemoryHub();
  const net = createSimNetwork<HubFrame>({ random: random.fork('net'), describe: describeHubFrame });
  const peers = new Map<string, HarnessPeer>();
  const users = new Map<string, UserId>();

  net.addNode(HUB, (from, frame) => hub.handle(from, frame, (to, reply) => net.send(HUB, to, reply)));

  const subscribed = new Map<string, Set<string>>();
  const syncSubscriptions = (p: HarnessPeer): void => {
    const known = subscribed.get(p.name) ?? new Set<string>();
    subscribed.set(p.name, known);
    const fresh = p.kith.subscriptions().filter((s) => !known.has(s));
    if (fresh.length === 0) return;
    for (const s of fresh) known.add(s);
    net.send(p.name, HUB, { t: 'subscribe', prefixes: fresh });
    for (const s of fresh) net.send(p.name, HUB, { t: 'pull', channel: s, since: p.cursors.get(s) ?? 0 });
  };

  const wire = (p: HarnessPeer): void => {
    p.kith.onOutgoing((change) => {
      net.send(p.name, HUB, { t: 'push', change, to: p.kith.audience(change.doc) });
      syncSubscriptions(p);
    });
  };

  const usernames = new Map<UserId, string>();
  /** Each peer's open storage (a kill closes it under the running engine). */
  const storages = new Map<string, Storage>();
  const open = async (name: string, user: UserId, device: DeviceId, database: MemoryDatabase): Promise<Kith> => {
    const storage = options.wrapStorage?.(name, createMemoryStorage({ database })) ?? createMemoryStorage({ database });
    storages.set(name, storage);
    return createKith({
      user,
      username: (usernames.get(user) ?? name).replace(/[^a-z0-9_.-]/g, '').slice(0, 64) || 'peer',
      device,
      backend: options.backend,
      clock,
      random: random.fork(`kith:${name}:${device}:${clock.now()}`),
      storage,
      ...(options.chunkMessages === undefined ? {} : { chunkMessages: options.chunkMessages }),
      ...(options.maxLoadedChunks === undefined ? {} : { maxLoadedChunks: options.maxLoadedChunks }),
    });
  };

  for (const spec of options.peers) {
    const name = typeof spec === 'string' ? spec : spec.name;
    const owner = typeof spec === 'string' ? undefined : spec.sameUserAs;
    const user = owner === undefined ? deriveUserId(random.fork(`user:${name}`).bytes(32)) : users.get(owner);
    if (user === undefined) throw new Error(`peer ${name}: unknown sameUserAs ${owner}`);
    users.set(name, user);
    if (!usernames.has(user)) usernames.set(user, name);
    const device = deriveUuid('kith/test-device', random.fork(`device:${name}`).bytes(16)) as DeviceId;
    const database = createMemoryDatabase();
    const p: HarnessPeer = { name, user, device, kith: await open(name, user, device, database), database, cursors: new Map(), fresh: 0 };
    peers.set(name, p);
    hub.addClient(name, user);
    net.addNode(name, (_from, frame) => {
      if (frame.t === 'ack') {
        void p.kith.acknowledge(frame);
        return;
      }
      if (frame.t !== 'changes') return;
      for (const change of frame.changes) {
        const r = p.kith.receive(change);
        if (r.ok && r.value !== 'duplicate') p.fresh++;
      }
      if (frame.channel !== null) p.cursors.set(frame.channel, Math.max(p.cursors.get(frame.channel) ?? 0, frame.upTo));
      syncSubscriptions(p);
    });
    wire(p);
  }

  const expectPeer = (name: string): HarnessPeer => {
    const p = peers.get(name);
    if (p === undefined) throw new Error(`no peer named ${name}`);
    return p;
  };
  const idle = async (): Promise<void> => {
    for (const p of peers.values()) await p.kith.idle();
  };
  const sync = (name: string): void => {
    const p = expectPeer(name);
    syncSubscriptions(p);
    for (const change of p.kith.outbox()) net.send(p.name, HUB, { t: 'push', change, to: p.kith.audience(change.doc) });
    for (const channel of [INBOX, ...(subscribed.get(p.name) ?? [])]) {
      net.send(p.name, HUB, { t: 'pull', channel, since: p.cursors.get(channel) ?? 0 });
    }
  };

  return {
    peers,
    hub,
    net,
    clock,
    random,
    peer: (name) => expectPeer(name).kith,
    user: (name) => expectPeer(name).user,
    async flush() {
      for (let round = 0; round < 50; round++) {
        net.flush();
        await idle();
        for (const p of peers.values()) p.fresh = 0;
        for (const p of peers.values()) sync(p.name);
        net.flush();
        await idle();
        let fresh = 0;
        for (const p of peers.values()) fresh += p.fresh + p.kith.outbox().length;
        if (fresh === 0) return;
      }
      throw new Error(`flush: still learning after 50 anti-entropy rounds\n${net.trace.tail(20)}`);
    },
    async restart(name, opts = {}) {
      const p = expectPeer(name);
      if (opts.kill === true) void storages.get(name)?.close();
      else await p.kith.close();
      p.kith = await open(name, p.user, p.device, p.database);
      subscribed.delete(name);
      wire(p);
      syncSubscriptions(p);
      return p.kith;
    },
    sync,
    async close() {
      for (const p of peers.values()) await p.kith.close();
    },
  };
}
