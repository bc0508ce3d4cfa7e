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
  /** Deliver an already-encoded frame. */
  sendText(text: string): void;
}

export interface Hub {
  addPeer(peer: HubPeer): void;
  removePeer(peer: HubPeer): void;
  subscribe(doc: string, peer: HubPeer): void;
  unsubscribe(doc: string, peer: HubPeer): void;
  publish(doc: string, seq: number, bytes: Uint8Array): void;
  /** Sends `text` to the user's online devices (one device if given); returns how many got it. */
  deliverToUser(user: string, device: string | undefined, text: string): number;
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
      let n = 0;
      for (const p of users.get(user) ?? []) {
        if (device !== undefined && p.device !== device) continue;
        p.sendText(text);
        n++;
      }
      return n;
    },
    get subscriberCount() {
      return subscriberCount;
    },
  };
}
