import type { SharedCounter } from '../ops/rate-limit.js';

/** How many of a user's devices are connected (online) and how many took an ephemeral frame. */
export interface DeliveryCount {
  readonly online: number;
  readonly delivered: number;
}

/**
 * The doorbell between relay instances (RLY-34): "document D reached seq n", ephemeral frames
 * (presence, typing, signals) for a user whose devices may sit on another instance (RLY-37), and
 * "scope S has a new capability version" (CAP-5/L2 at every instance, RLY-38). It never carries
 * entry bytes: an instance that hears a doorbell reads the entries from the shared store, so a
 * lost or late message costs latency, never data. Ephemeral frames are fire and forget; a lost
 * one is lost, as on one instance when the recipient's buffer is full (M3).
 * Implementations: `createMemoryClusterBus` (instances in one process: tests) and the Redis bus
 * (server/redis-bus.ts).
 */
export interface ClusterBus {
  /** Fire and forget: tells the other instances that `doc` has an entry at `seq`. */
  announce(doc: string, seq: number): void;
  onAnnounce(handler: (doc: string, seq: number) => void): void;
  /**
   * Sends an encoded ephemeral frame to `user`'s devices (one `device` if given) on every other
   * instance; resolves with their summed counts. An instance that does not answer within the
   * bus's deadline counts as none online; never rejects.
   */
  deliver(user: string, device: string | undefined, text: string): Promise<DeliveryCount>;
  /** Handles a `deliver` from another instance: hand the frame to local devices, count them. */
  onDeliver(handler: (user: string, device: string | undefined, text: string) => DeliveryCount): void;
  /** Fire and forget: the capability record of `scope` changed (live subscribers re-check). */
  announceCapability(scope: string): void;
  onCapability(handler: (scope: string) => void): void;
  /**
   * Called when messages may have been lost (the bus server came back after an outage): the
   * hub pokes every subscribed document, capability listeners re-check every scope.
   */
  onResync?(handler: () => void): void;
  /** Counters shared by the instances, for cluster-wide rate limits (RLY-36), if the bus has them. */
  readonly counter?: SharedCounter;
  /** A round trip to the bus server, if there is one; rejects while it is unreachable (/health). */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

/** A bus for instances in one process: each `join()` is one instance; nothing echoes to itself. */
export interface MemoryClusterBus {
  join(): ClusterBus;
  /** While true, messages are dropped (a partitioned or restarting Redis). */
  dropping: boolean;
}

export function createMemoryClusterBus(): MemoryClusterBus {
  interface Member {
    announce: ((doc: string, seq: number) => void)[];
    deliver: ((user: string, device: string | undefined, text: string) => DeliveryCount)[];
    capability: ((scope: string) => void)[];
  }
  const members = new Set<Member>();
  const totals = new Map<string, number>();
  const counter: SharedCounter = {
    add(key, amount) {
      const total = (totals.get(key) ?? 0) + amount;
      totals.set(key, total);
      return new Promise((resolve) => queueMicrotask(() => resolve(total)));
    },
  };
  const bus: MemoryClusterBus = {
    dropping: false,
    join() {
      const me: Member = { announce: [], deliver: [], capability: [] };
      members.add(me);
      // Delivery is asynchronous, as over a network: never inside the sender's call.
      const others = (fn: (m: Member) => void): void => {
        if (bus.dropping) return;
        for (const m of members) if (m !== me) queueMicrotask(() => fn(m));
      };
      return {
        announce: (doc, seq) => others((m) => m.announce.forEach((h) => h(doc, seq))),
        onAnnounce: (h) => void me.announce.push(h),
        deliver(user, device, text) {
          let online = 0;
          let delivered = 0;
          others((m) => {
            for (const h of m.deliver) {
              const d = h(user, device, text);
              online += d.online;
              delivered += d.delivered;
            }
          });
          // Every member's handler ran in the microtasks queued before this one.
          return new Promise((resolve) => queueMicrotask(() => resolve({ online, delivered })));
        },
        onDeliver: (h) => void me.deliver.push(h),
        announceCapability: (scope) => others((m) => m.capability.forEach((h) => h(scope))),
        onCapability: (h) => void me.capability.push(h),
        counter,
        close() {
          members.delete(me);
          return Promise.resolve();
        },
      };
    },
  };
  return bus;
}
