import { parseDocId, type UserId } from '../ids.js';
import type { Storage } from '../ports/storage.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { KeyStore } from '../session/key-store.js';
import type { QueuedPush } from '../session/queued-push.js';
import { nextChunk } from './wanted-docs.js';

/**
 * What a sync client restores from storage at start (ADR 0009): envelopes sealed but not yet
 * acknowledged (`sync/push/…`, in counter order per document, with the engine's change when it
 * is still in the outbox), capability claims not yet made, cursors, intro follows, and the feed
 * chunks already known to exist.
 */
export interface ClientState {
  readonly queued: Map<string, QueuedPush>;
  readonly claims: Map<string, { token: string; peer?: UserId }>;
  readonly cursors: Map<string, number>;
  readonly follows: Set<string>;
  readonly chunks: Set<string>;
}

const parsePushKey = (k: string): { doc: string; counter: number } => {
  const i = k.lastIndexOf('|');
  return { doc: k.slice(0, i), counter: Number(k.slice(i + 1)) };
};

export async function loadClientState(storage: Storage, engine: EngineLink, keys: KeyStore): Promise<ClientState> {
  const queued = new Map<string, QueuedPush>();
  const claims = new Map<string, { token: string; peer?: UserId }>();
  for (const [k, v] of await storage.listMeta('sync/claim/')) {
    const scope = k.slice('sync/claim/'.length);
    const claim = keys.readClaim(scope, v);
    if (claim !== undefined) claims.set(scope, claim);
  }
  const outboxByKey = new Map(engine.outbox().map((c) => [`${c.doc}|${c.counter}`, c]));
  (await storage.listMeta('sync/push/'))
    .map(([k, v]) => ({ key: k.slice('sync/push/'.length), v }))
    .sort((a, b) => {
      const x = parsePushKey(a.key);
      const y = parsePushKey(b.key);
      return x.doc < y.doc ? -1 : x.doc > y.doc ? 1 : x.counter - y.counter;
    })
    .forEach(({ key, v }) => {
      if (!(v instanceof Uint8Array)) return;
      const change = outboxByKey.get(key);
      queued.set(key, { key, doc: parseDocId(parsePushKey(key).doc), bytes: v, ...(change === undefined ? {} : { change }) });
    });
  const cursors = new Map<string, number>();
  for (const [k, v] of await storage.listMeta('sync/cursor/')) if (typeof v === 'number') cursors.set(k.slice('sync/cursor/'.length), v);
  const follows = new Set((await storage.listMeta('sync/follow/')).map(([k]) => k.slice('sync/follow/'.length)));
  const chunks = new Set<string>();
  for (const [doc, seq] of cursors) if (seq > 0) chunks.add(nextChunk(doc) ?? doc);
  return { queued, claims, cursors, follows, chunks };
}
