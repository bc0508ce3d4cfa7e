/**
 * Local fan-out: who is subscribed to which document and which devices of a user are online.
 * A multi-instance deployment (later issue) puts a Redis bus behind `publish`/`deliverToUser`;
 * callers do not change.
 */
export interface HubPeer {
  readonly user: string;
  readonly device: string;
  /** Deliver a live entry of a document this peer subscribed to. */
  onEntry(doc: string, seq: number, bytes: Uint8Array): void;
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
  publish(doc: string, seq: number, bytes: Uint8Array): void;
  /**
   * Sends an ephemeral `text` to the user's online devices (one device if given): how many
   * devices are online and how many got it (the rest dropped it, M3).
   */
  deliverToUser(user: string, device: string | undefined, text: string): { online: number; delivered: number };
  readonly subscriberCount: number;
}

export function createHub(): Hub {
  const docs = new Map<string, Set<HubPeer>>();
  const users = new Map<string, Set<HubPeer>>();
  let subscriberCount = 0;
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
      const s = docs.get(doc);
      if (s === undefined) return;
      for (const p of s) p.onEntry(doc, seq, bytes);
    },
    deliverToUser(user, device, text) {
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
