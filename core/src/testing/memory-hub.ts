import type { DeviceId, DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';

/**
 * An in-memory stand-in for the relay (the real one replaces it in issue 6): it stores every
 * DocChange once (deduplicated by doc, device and counter) in one global log, acknowledges
 * pushes, forwards each new change to the devices of its audience and to devices subscribed to
 * a matching document prefix, and answers pulls — `inbox` (changes addressed to my user) or a
 * prefix — since a log index. It trusts clients completely: crypto and access control are the
 * real relay's and the crypto layer's business, not this test double's.
 */
export type HubFrame =
  | { readonly t: 'push'; readonly change: DocChange; readonly to: readonly UserId[] }
  | { readonly t: 'ack'; readonly doc: DocId; readonly device: DeviceId; readonly counter: number }
  | { readonly t: 'subscribe'; readonly prefixes: readonly string[] }
  | { readonly t: 'pull'; readonly channel: string; readonly since: number }
  /** `channel` null: a live forward; otherwise the complete answer to a pull, up to `upTo`. */
  | { readonly t: 'changes'; readonly channel: string | null; readonly changes: readonly DocChange[]; readonly upTo: number };

export const INBOX = 'inbox';

export interface MemoryHub {
  /** Register a client node (one device) of `user`. */
  addClient(node: string, user: UserId): void;
  /** Handle one frame from a client; replies go through `send`. */
  handle(from: string, frame: HubFrame, send: (to: string, frame: HubFrame) => void): void;
  /** Every stored change in arrival order (optionally those whose doc starts with `prefix`). */
  changes(prefix?: string): DocChange[];
  readonly stats: { readonly pushes: number; readonly stored: number; readonly pulls: number; readonly bytes: number };
}

export function describeHubFrame(frame: HubFrame): string {
  switch (frame.t) {
    case 'push':
      return `PUSH ${frame.change.doc} ${frame.change.kind} ctr=${frame.change.counter} to=${frame.to.length}`;
    case 'ack':
      return `ACK ${frame.doc} ctr=${frame.counter}`;
    case 'subscribe':
      return `SUB ${frame.prefixes.length} prefixes`;
    case 'pull':
      return `PULL ${frame.channel} since=${frame.since}`;
    case 'changes':
      return `${frame.channel === null ? 'FWD' : 'PULLED'} ${frame.changes.length} up=${frame.upTo}`;
  }
}

export function createMemoryHub(): MemoryHub {
  const log: Array<{ change: DocChange; to: ReadonlySet<UserId> }> = [];
  const keys = new Set<string>();
  const clients = new Map<string, { user: UserId; prefixes: Set<string> }>();
  const stats = { pushes: 0, stored: 0, pulls: 0, bytes: 0 };
  const matches = (prefixes: Set<string>, doc: string): boolean => {
    for (const p of prefixes) if (doc.startsWith(p)) return true;
    return false;
  };
  return {
    addClient(node, user) {
      clients.set(node, { user, prefixes: new Set() });
    },
    handle(from, frame, send) {
      const client = clients.get(from);
      if (client === undefined) return;
      switch (frame.t) {
        case 'push': {
          stats.pushes++;
          const { change } = frame;
          const key = `${change.doc}|${change.device}|${change.counter}`;
          send(from, { t: 'ack', doc: change.doc, device: change.device, counter: change.counter });
          if (keys.has(key)) return;
          keys.add(key);
          const to = new Set(frame.to);
          log.push({ change, to });
          stats.stored++;
          stats.bytes += change.payload.length;
          for (const [node, c] of clients) {
            if (node === from) continue;
            if (to.has(c.user) || matches(c.prefixes, change.doc)) {
              send(node, { t: 'changes', channel: null, changes: [change], upTo: log.length });
            }
          }
          return;
        }
        case 'subscribe':
          for (const p of frame.prefixes) client.prefixes.add(p);
          return;
        case 'pull': {
          stats.pulls++;
          const out: DocChange[] = [];
          for (let i = Math.max(0, frame.since); i < log.length; i++) {
            const entry = log[i]!;
            const hit = frame.channel === INBOX ? entry.to.has(client.user) : entry.change.doc.startsWith(frame.channel);
            if (hit) out.push(entry.change);
          }
          send(from, { t: 'changes', channel: frame.channel, changes: out, upTo: log.length });
          return;
        }
        case 'ack':
        case 'changes':
          return;
      }
    },
    changes(prefix) {
      return log.filter((e) => prefix === undefined || e.change.doc.startsWith(prefix)).map((e) => e.change);
    },
    stats,
  };
}
