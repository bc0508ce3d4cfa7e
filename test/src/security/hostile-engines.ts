import {
  createKith,
  createMemoryDatabase,
  createMemoryStorage,
  deriveUserId,
  type Clock,
  type CrdtBackend,
  type CrdtDocument,
  type CrdtMutation,
  type DeviceId,
  type DocChange,
  type Kith,
  type MemoryDatabase,
  type UserId,
} from '@kith/core';
import { createCrdtBackend } from '@kith/core/backends';
import { createManualClock, createSeededRandom, type ManualClock, type SeededRandom } from '@kith/core/testing';

export type BackendName = 'yjs' | 'automerge';

/** How a modified client differs from an honest one (all public pieces: a backend, a clock, a filter on what it sends). */
export interface HostileSpec {
  /** Rewrites the mutations of every local change before the CRDT encodes it. */
  readonly rewrite?: (m: CrdtMutation) => CrdtMutation;
  /** The clock the member's engine runs on (forged timestamps), made from the world's clock. */
  readonly clock?: (shared: ManualClock) => Clock;
  /** Replaces what is sent for a local change (crafted bytes, extra changes, other counters); the member's own engine keeps the real one. */
  readonly send?: (change: DocChange) => DocChange[];
  /** Engine sizing (also for honest peers): messages per feed chunk, feed chunks kept in memory. */
  readonly chunkMessages?: number;
  readonly maxLoadedChunks?: number;
}

export interface EnginePeer {
  readonly name: string;
  readonly user: UserId;
  kith: Kith;
  readonly database: MemoryDatabase;
}

/**
 * Engines joined by a loopback bus (every change any engine emits goes to every other engine,
 * which authorises it itself), on one manual clock. A peer may be a modified client
 * (`HostileSpec`). Only public entry points are used.
 */
export interface EngineWorld {
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  readonly peers: Map<string, EnginePeer>;
  peer(name: string): Kith;
  user(name: string): UserId;
  /** Deliver until nothing new is emitted. */
  flush(): Promise<void>;
  restart(name: string): Promise<Kith>;
}

/** A backend whose documents pass every local change through `rewrite` first. */
export function rewritingBackend(inner: CrdtBackend, rewrite: (m: CrdtMutation) => CrdtMutation): CrdtBackend {
  const wrap = (doc: CrdtDocument): CrdtDocument =>
    new Proxy(doc, {
      get(target, prop, receiver) {
        if (prop === 'change') return (mutations: readonly CrdtMutation[]) => target.change(mutations.map(rewrite));
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return {
    ...inner,
    create: (options) => wrap(inner.create(options)),
    load: (saved, options) => {
      const r = inner.load(saved, options);
      return r.ok ? { ok: true, value: wrap(r.value) } : r;
    },
  };
}

export async function createEngineWorld(seed: string, backendName: BackendName, names: readonly string[], hostile: Record<string, HostileSpec> = {}): Promise<EngineWorld> {
  const clock = createManualClock(1_700_000_000_000);
  const random = createSeededRandom(seed);
  const backend = createCrdtBackend(backendName);
  const peers = new Map<string, EnginePeer>();
  const queue: Array<{ from: string; change: DocChange }> = [];
  let opened = 0;
  const open = async (name: string, user: UserId, database: MemoryDatabase): Promise<Kith> => {
    const spec = hostile[name] ?? {};
    const kith = await createKith({
      user,
      username: name,
      device: deviceOf(random.fork(`device:${name}`).bytes(16)),
      backend: spec.rewrite === undefined ? backend : rewritingBackend(backend, spec.rewrite),
      clock: spec.clock?.(clock) ?? clock,
      random: random.fork(`kith:${name}:${opened++}`),
      storage: createMemoryStorage({ database }),
      ...(spec.chunkMessages === undefined ? {} : { chunkMessages: spec.chunkMessages }),
      ...(spec.maxLoadedChunks === undefined ? {} : { maxLoadedChunks: spec.maxLoadedChunks }),
    });
    kith.onOutgoing((change) => {
      for (const c of spec.send === undefined ? [change] : spec.send(change)) queue.push({ from: name, change: c });
      void kith.acknowledge(change);
    });
    return kith;
  };
  for (const name of names) {
    const user = deriveUserId(random.fork(`user:${name}`).bytes(32));
    const database = createMemoryDatabase();
    peers.set(name, { name, user, database, kith: await open(name, user, database) });
  }
  const expect = (name: string): EnginePeer => {
    const p = peers.get(name);
    if (p === undefined) throw new Error(`no peer ${name}`);
    return p;
  };
  const log: Array<{ from: string; change: DocChange }> = [];
  return {
    clock,
    random,
    peers,
    peer: (name) => expect(name).kith,
    user: (name) => expect(name).user,
    async flush() {
      for (let round = 0; round < 100; round++) {
        for (const p of peers.values()) await p.kith.idle();
        if (queue.length === 0) return;
        for (const item of queue.splice(0)) {
          log.push(item);
          for (const p of peers.values()) if (p.name !== item.from) p.kith.receive(item.change);
        }
      }
      throw new Error('flush: still busy');
    },
    async restart(name) {
      const p = expect(name);
      await p.kith.close();
      p.kith = await open(name, p.user, p.database);
      // A restarted engine has lost nothing it stored; it also needs nothing resent.
      void log;
      return p.kith;
    },
  };
}

function deviceOf(b: Uint8Array): DeviceId {
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` as DeviceId;
}
