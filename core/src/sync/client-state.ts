import { parseDocId, type DeviceId, type DocId, type UserId } from '../ids.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import { changeKey, parseChangeKey } from '../protocol/doc-change.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { KeyStore } from '../session/key-store.js';
import type { QueuedPush } from '../session/queued-push.js';
import { decodeEnvelope, envelopeLastCounter } from '../protocol/envelope.js';
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

/** Push records of earlier versions were keyed `<doc>|<counter>` (this device's own envelopes). */
const parseOldPushKey = (k: string): { doc: string; counter: number } | undefined => {
  const parts = k.split('|');
  const counter = Number(parts[1]);
  return parts.length === 2 && parts[0] !== '' && Number.isSafeInteger(counter) && counter >= 1 ? { doc: parts[0]!, counter } : undefined;
};

/**
 * The push records, oldest first per document (keys `changeKey`); records of earlier versions
 * are re-keyed (one commit) so an outbox item and its envelope share one key.
 */
async function loadPushRecords(storage: Storage, device: DeviceId): Promise<Array<{ key: string; doc: DocId; counter: number; bytes: Uint8Array }>> {
  const out: Array<{ key: string; doc: DocId; counter: number; bytes: Uint8Array }> = [];
  const rekey: StorageWrite[] = [];
  for (const [k, v] of await storage.listMeta('sync/push/')) {
    if (!(v instanceof Uint8Array)) continue;
    const key = k.slice('sync/push/'.length);
    const parsed = parseChangeKey(key);
    if (parsed !== undefined) {
      out.push({ key, doc: parseDocId(parsed.doc), counter: parsed.counter, bytes: v });
      continue;
    }
    const old = parseOldPushKey(key);
    if (old === undefined) continue;
    const doc = parseDocId(old.doc);
    const renamed = changeKey({ doc, device, counter: old.counter });
    rekey.push({ type: 'deleteMeta', key: k }, { type: 'putMeta', key: `sync/push/${renamed}`, value: v });
    out.push({ key: renamed, doc, counter: old.counter, bytes: v });
  }
  if (rekey.length > 0) await storage.commit(rekey);
  return out.sort((x, y) => (x.doc < y.doc ? -1 : x.doc > y.doc ? 1 : x.counter - y.counter));
}

export async function loadClientState(storage: Storage, engine: EngineLink, keys: KeyStore, device: DeviceId): Promise<ClientState> {
  const queued = new Map<string, QueuedPush>();
  const claims = new Map<string, { token: string; peer?: UserId }>();
  for (const [k, v] of await storage.listMeta('sync/claim/')) {
    const scope = k.slice('sync/claim/'.length);
    const claim = keys.readClaim(scope, v);
    if (claim !== undefined) claims.set(scope, claim);
  }
  const outboxByKey = new Map(engine.outbox().map((c) => [changeKey(c), c]));
  for (const { key, doc, counter, bytes } of await loadPushRecords(storage, device)) {
    const change = outboxByKey.get(key);
    // BATCH-8: a range's record is keyed by its first change; its header names the last.
    const header = decodeEnvelope(bytes);
    const last = header.ok ? envelopeLastCounter(header.value) : counter;
    if (last === counter) {
      queued.set(key, { key, doc, bytes, ...(change === undefined ? {} : { change }) });
      continue;
    }
    const keys = Array.from({ length: last - counter + 1 }, (_, i) => changeKey({ doc, device, counter: counter + i }));
    const changes = keys.map((k) => outboxByKey.get(k)).filter((c) => c !== undefined);
    queued.set(key, { key, doc, bytes, ...(change === undefined ? {} : { change }), keys, changes });
  }
  const cursors = new Map<string, number>();
  for (const [k, v] of await storage.listMeta('sync/cursor/')) if (typeof v === 'number') cursors.set(k.slice('sync/cursor/'.length), v);
  const follows = new Set((await storage.listMeta('sync/follow/')).map(([k]) => k.slice('sync/follow/'.length)));
  const chunks = new Set<string>();
  for (const [doc, seq] of cursors) if (seq > 0) chunks.add(nextChunk(doc) ?? doc);
  return { queued, claims, cursors, follows, chunks };
}
