import type { Clock } from '@kith/core';
import type { Logger } from '../ops/logger.js';
import type { DocLogStore } from '../store/ports.js';
import type { ClusterBus, DeliveryCount } from './cluster-bus.js';
import type { Hub, HubPeer, LocalHub } from './hub.js';

export interface ClusterHubDeps {
  readonly bus: ClusterBus;
  readonly read: DocLogStore['read'];
  /** Highest seq stored per document (shared store): where a new local fan-out starts. */
  readonly heads: (docs: readonly string[]) => Promise<Map<string, number>>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Backstop for lost doorbells: subscribed documents are re-checked this often (default 2 s). */
  readonly sweepMs?: number;
}

export interface ClusterHub extends Hub {
  deliverToUser(user: string, device: string | undefined, text: string): Promise<DeliveryCount>;
  close(): Promise<void>;
}

interface DocFanout {
  /** Highest seq handed to the local subscribers; meaningful once `known`. */
  cursor: number;
  known: boolean;
  readonly ready: Promise<void>;
  running: boolean;
  again: boolean;
  peers: number;
}

const PAGE = 1000;

/**
 * The hub of one instance in a cluster (RLY-34). Live entries reach local subscribers from the
 * shared store, never from the bus: a local commit and a remote doorbell both only "poke" the
 * document, and the hub reads the entries after its cursor, in seq order, and hands them to the
 * local hub. Because per-document seq order is commit order (RLY-30), reading after the cursor
 * never skips an entry, whichever instance stored it; a lost doorbell is caught by the next one
 * or by the sweep. A document's cursor starts at its stored head when its first local
 * subscriber subscribes; the subscriber's own backlog pull comes after (RLY-12), so together
 * they leave no gap. Presence, typing and signals go to local devices and over the bus to the
 * other instances, whose device counts are added to the answer (RLY-37).
 */
export function createClusterHub(local: LocalHub, deps: ClusterHubDeps): ClusterHub {
  const docs = new Map<string, DocFanout>();
  const sweepMs = deps.sweepMs ?? 2000;
  let closed = false;
  let cancelSweep: () => void = () => undefined;

  async function drain(doc: string, f: DocFanout): Promise<void> {
    await f.ready;
    for (;;) {
      f.again = false;
      const rows = await deps.read(doc, f.cursor, PAGE);
      if (docs.get(doc) !== f) return;
      for (const e of rows) {
        if (e.seq <= f.cursor) continue;
        f.cursor = e.seq;
        local.publish(doc, e.seq, e.bytes);
      }
      if (rows.length < PAGE && !f.again) return;
    }
  }

  function poke(doc: string, seq?: number): void {
    const f = docs.get(doc);
    if (f === undefined || (f.known && seq !== undefined && seq <= f.cursor)) return;
    if (f.running) {
      f.again = true;
      return;
    }
    f.running = true;
    drain(doc, f)
      .catch((error: unknown) => deps.logger.log('error', 'cluster.fanout_failed', { error: error instanceof Error ? error.name : 'unknown' }))
      .finally(() => {
        f.running = false;
        if (f.again && docs.get(doc) === f) poke(doc);
      });
  }

  function sweep(): void {
    if (closed) return;
    const subscribed = [...docs.keys()];
    const next = (): void => {
      if (!closed) cancelSweep = deps.clock.setTimer(sweepMs, sweep);
    };
    if (subscribed.length === 0) return next();
    deps
      .heads(subscribed)
      .then((heads) => {
        for (const [doc, head] of heads) poke(doc, head);
      })
      .catch((error: unknown) => deps.logger.log('error', 'cluster.sweep_failed', { error: error instanceof Error ? error.name : 'unknown' }))
      .finally(next);
  }

  deps.bus.onAnnounce((doc, seq) => poke(doc, seq));
  deps.bus.onResync?.(() => {
    for (const doc of docs.keys()) poke(doc);
  });
  deps.bus.onDeliver((user, device, text) => local.deliverToUser(user, device, text));
  cancelSweep = deps.clock.setTimer(sweepMs, sweep);

  return {
    addPeer: (peer) => local.addPeer(peer),
    removePeer: (peer) => local.removePeer(peer),
    async subscribe(doc: string, peer: HubPeer) {
      let f = docs.get(doc);
      if (f === undefined) {
        const ready = deps.heads([doc]).then(
          (h) => {
            fanout.cursor = h.get(doc) ?? 0;
            fanout.known = true;
          },
          (error: unknown) => {
            // The next subscribe tries again.
            if (docs.get(doc) === fanout) docs.delete(doc);
            throw error;
          },
        );
        const fanout: DocFanout = { cursor: 0, known: false, ready, running: false, again: false, peers: 0 };
        docs.set(doc, (f = fanout));
      }
      f.peers++;
      await local.subscribe(doc, peer);
      await f.ready;
    },
    unsubscribe(doc, peer) {
      const before = local.subscriberCount;
      local.unsubscribe(doc, peer);
      const f = docs.get(doc);
      if (f !== undefined && local.subscriberCount < before && --f.peers === 0) docs.delete(doc);
    },
    publish(doc, seq) {
      // The entry is durable: others are told, and the local subscribers get it from the store
      // in order with whatever other instances committed before it.
      deps.bus.announce(doc, seq);
      poke(doc, seq);
    },
    async deliverToUser(user, device, text) {
      const here = local.deliverToUser(user, device, text);
      const there = await deps.bus.deliver(user, device, text);
      return { online: here.online + there.online, delivered: here.delivered + there.delivered };
    },
    get subscriberCount() {
      return local.subscriberCount;
    },
    async close() {
      closed = true;
      cancelSweep();
      docs.clear();
      await deps.bus.close();
    },
  };
}
