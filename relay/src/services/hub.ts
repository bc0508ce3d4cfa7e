import type { DeliveryCount } from './cluster-bus.js';
import { createLiveBatch, splitLiveEntries, type LiveBatch, type LiveEntry } from './live-batch.js';

/**
 * Local fan-out: who is subscribed to which document and which devices of a user are online.
 * In a cluster the cluster hub (cluster-hub.ts) wraps this one and puts the bus behind
 * `publish`/`deliverToUser`; callers do not change.
 */
export interface HubPeer {
  readonly user: string;
  readonly device: string;
  /** Deliver live entries (ascending seq) of a document this peer subscribed to. */
  onEntries(batch: LiveBatch): void;
  /**
   * Deliver an already-encoded ephemeral frame (signal, presence). Returns false when it was
   * dropped (recipient's buffer too full): it never closes the recipient (M3).
   */
  sendEphemeral(text: string): boolean;
}

export interface Hub {
  addPeer(peer: HubPeer): void;
  removePeer(peer: HubPeer): void;
  /** May be asynchronous (the cluster hub reads where its fan-out starts): await it before the backlog. */
  subscribe(doc: string, peer: HubPeer): void | Promise<void>;
  unsubscribe(doc: string, peer: HubPeer): void;
  /**
   * Queues a durable entry for the document's subscribers. Entries published in one microtask
   * round (one group commit's) are delivered together at its end, per document in seq order, as
   * batches of at most `maxEntriesPerFrame` entries / ~`maxBytesPerFrame` bytes whose frame
   * text is built once for every subscriber (RLY-23, RLY-24).
   */
  publish(doc: string, seq: number, bytes: Uint8Array): void;
  /**
   * Sends an ephemeral `text` to the user's online devices (one device if given): how many
   * devices are online and how many got it (the rest dropped it, M3). In a cluster the answer
   * counts every instance's devices and comes after they answered (RLY-37).
   */
  deliverToUser(user: string, device: string | undefined, text: string): DeliveryCount | Promise<DeliveryCount>;
  readonly subscriberCount: number;
}

/** The hub of one process: it knows its own devices, so it answers at once. */
export interface LocalHub extends Hub {
  deliverToUser(user: string, device: string | undefined, text: string): DeliveryCount;
}

export interface HubOptions {
  readonly maxEntriesPerFrame?: number;
  readonly maxBytesPerFrame?: number;
  /** A peer's delivery threw: the others still get theirs (M7). */
  readonly onDeliveryError?: (error: unknown) => void;
}

export function createHub(options: HubOptions = {}): LocalHub {
  const maxEntries = options.maxEntriesPerFrame ?? 64;
  const maxBytes = options.maxBytesPerFrame ?? 256 * 1024;
  const docs = new Map<string, Set<HubPeer>>();
  const users = new Map<string, Set<HubPeer>>();
  let subscriberCount = 0;
  let pending = new Map<string, LiveEntry[]>();

  const flush = (): void => {
    const due = pending;
    pending = new Map();
    for (const [doc, entries] of due) {
      entries.sort((a, b) => a.seq - b.seq);
      for (const part of splitLiveEntries(entries, maxEntries, maxBytes)) {
        const batch = createLiveBatch(doc, part);
        for (const p of docs.get(doc) ?? []) {
          try {
            p.onEntries(batch);
          } catch (error) {
            options.onDeliveryError?.(error);
          }
        }
      }
    }
  };

  return {
    addPeer(peer) {
      let s = users.get(peer.user);
      if (s === undefined) users.set(peer.user, (s = new Set()));
      s.add(peer);
    },
    removePeer(peer) {
      const s = users.get(peer.user);
      s?.delete(peer);
      if (s?.size === 0) users.delete(peer.user);
    },
    subscribe(doc, peer) {
      let s = docs.get(doc);
      if (s === undefined) docs.set(doc, (s = new Set()));
      if (!s.has(peer)) subscriberCount++;
      s.add(peer);
    },
    unsubscribe(doc, peer) {
      const s = docs.get(doc);
      if (s?.delete(peer) === true) subscriberCount--;
      if (s?.size === 0) docs.delete(doc);
    },
    publish(doc, seq, bytes) {
      if (!docs.has(doc)) return;
      if (pending.size === 0) queueMicrotask(flush);
      let list = pending.get(doc);
      if (list === undefined) pending.set(doc, (list = []));
      list.push({ seq, bytes });
    },
    deliverToUser(user, device, text): DeliveryCount {
      let online = 0;
      let delivered = 0;
      for (const p of users.get(user) ?? []) {
        if (device !== undefined && p.device !== device) continue;
        online++;
        if (p.sendEphemeral(text)) delivered++;
      }
      return { online, delivered };
    },
    get subscriberCount() {
      return subscriberCount;
    },
  };
}
