/**
 * The doorbell between relay instances (RLY-34): "document D reached seq n" and ephemeral frames
 * (presence, signals) for a user whose devices may sit on another instance. It never carries
 * entry bytes: an instance that hears a doorbell reads the entries from the shared store, so a
 * lost or late message costs latency, never data. Implementations: `createMemoryClusterBus`
 * (instances in one process: tests) and the Redis bus (server/redis-bus.ts).
 */
export interface ClusterBus {
  /** Fire and forget: tells the other instances that `doc` has an entry at `seq`. */
  announce(doc: string, seq: number): void;
  onAnnounce(handler: (doc: string, seq: number) => void): void;
  /** Fire and forget: an encoded ephemeral frame for `user` (one `device` if given). */
  forward(user: string, device: string | undefined, text: string): void;
  onForward(handler: (user: string, device: string | undefined, text: string) => void): void;
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
    forward: ((user: string, device: string | undefined, text: string) => void)[];
  }
  const members = new Set<Member>();
  const bus: MemoryClusterBus = {
    dropping: false,
    join() {
      const me: Member = { announce: [], forward: [] };
      members.add(me);
      // Delivery is asynchronous, as over a network: never inside the sender's call.
      const others = (fn: (m: Member) => void): void => {
        if (bus.dropping) return;
        for (const m of members) if (m !== me) queueMicrotask(() => fn(m));
      };
      return {
        announce: (doc, seq) => others((m) => m.announce.forEach((h) => h(doc, seq))),
        onAnnounce: (h) => void me.announce.push(h),
        forward: (user, device, text) => others((m) => m.forward.forEach((h) => h(user, device, text))),
        onForward: (h) => void me.forward.push(h),
        close() {
          members.delete(me);
          return Promise.resolve();
        },
      };
    },
  };
  return bus;
}
