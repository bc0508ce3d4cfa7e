import { blake2b } from '@noble/hashes/blake2.js';
import * as Y from 'yjs';
import { assert, fail, ok, type Result } from '../../errors.js';
import type {
  CrdtBackend,
  CrdtDocument,
  CrdtDocumentOptions,
  CrdtEvent,
  CrdtTouched,
  Json,
} from '../../ports/crdt.js';
import { isStoredJson } from '../json.js';
import { actorBytes, createListeners, isCollectionName, normalizeMutations, sortTouched } from '../mutations.js';
import { checkYjsUpdate } from './check-yjs-update.js';

/**
 * The Yjs implementation of the CRDT port.
 *
 * Layout: each collection is a top-level `Y.Map` keyed by entry key whose values are plain
 * JSON (Yjs `any` content) — the fastest layout measured for values replaced whole.
 *
 * Encoding: Yjs **v1** updates throughout (changes, `changesSince`, `save`). v2 is ~25 %
 * smaller for whole-document snapshots but larger for the small one-message updates that
 * dominate traffic, slower to encode/decode, and the v2 decoder is where the hang of
 * yjs#687 was reproduced (docs/adr/0002-default-crdt-backend.md).
 *
 * Actor: the Yjs clientID is 32 bits of BLAKE2b(actor ‖ generation), see `pickClientId`. Two
 * live replicas with one actor would corrupt each other — the port forbids it.
 */
export function createYjsBackend(): CrdtBackend {
  return {
    name: 'yjs',
    create: (options?: CrdtDocumentOptions) => openYjsDocument(options, undefined)!,
    load(saved: Uint8Array, options?: CrdtDocumentOptions): Result<CrdtDocument> {
      const doc = openYjsDocument(options, saved);
      return doc !== null ? ok(doc) : fail('malformed', 'saved Yjs document does not load');
    },
  };
}

const LOCAL = Symbol('kith/local');
const REMOTE = Symbol('kith/remote');

/**
 * The clientID for `actor`: 32 bits of BLAKE2b(actor ‖ generation) for the first generation
 * the document holds nothing of. A replica restarted from its own save (same actor) thus
 * continues under a fresh, still deterministic clientID — Yjs' own rule, which would otherwise
 * switch to a random one (and break seeded replays) when it sees its clientID in remote data.
 */
function pickClientId(doc: Y.Doc, actor: Uint8Array): number {
  const input = new Uint8Array(actor.length + 4);
  input.set(actor);
  for (let generation = 0; ; generation++) {
    new DataView(input.buffer).setUint32(actor.length, generation);
    const h = blake2b(input, { dkLen: 4 });
    const id = (h[0]! * 0x1000000 + (h[1]! << 16) + (h[2]! << 8) + h[3]!) >>> 0;
    if (Y.getState(doc.store, id) === 0) return id;
  }
}

/**
 * Opens a document, loading `saved` if given (null when it does not load). Loading skips the
 * pre-check and event bookkeeping that `apply` does: a load that fails half-way discards the
 * whole document, so atomicity comes for free, and nobody listens yet. This makes a load ~3×
 * cheaper than applying the same bytes (checkYjsUpdate decodes everything once more).
 */
function openYjsDocument(options: CrdtDocumentOptions | undefined, saved: Uint8Array | undefined): CrdtDocument | null {
  // A fixed guid: Yjs would draw a random uuid per document (webcrypto) for subdocument linking,
  // which we never use — a measurable share of a cold open that creates hundreds of documents.
  const doc = new Y.Doc({ gc: true, guid: 'kith' });
  const actor = actorBytes(options?.actor);
  const roots = new Map<string, Y.Map<unknown>>();
  const sortedKeys = new Map<string, string[]>();
  const listeners = createListeners();
  let touched: Array<{ collection: string; key: string }> = [];
  let lastLocalUpdate: Uint8Array | null = null;
  let loading = false;

  function root(name: string): Y.Map<unknown> {
    let map = roots.get(name);
    if (map === undefined) {
      map = doc.getMap<unknown>(name);
      map.observe((event) => {
        if (loading) return;
        for (const key of event.keys.keys()) touched.push({ collection: name, key });
      });
      roots.set(name, map);
    }
    return map;
  }

  function takeTouched(): Array<{ collection: string; key: string }> {
    const keys = sortTouched(touched);
    touched = [];
    for (const k of keys) sortedKeys.delete(k.collection);
    return keys;
  }

  function get(collection: string, key: string): Json | undefined {
    const value = roots.get(collection)?.get(key);
    return isStoredJson(value) ? value : undefined;
  }

  function keys(collection: string): string[] {
    let cached = sortedKeys.get(collection);
    if (cached === undefined) {
      const map = roots.get(collection);
      cached = [];
      if (map !== undefined) {
        for (const [key, value] of map.entries()) if (isStoredJson(value)) cached.push(key);
      }
      cached.sort();
      sortedKeys.set(collection, cached);
    }
    return [...cached];
  }

  function emit(origin: CrdtEvent['origin'], keys: CrdtTouched['keys']): void {
    if (keys.length > 0) listeners.emit({ origin, keys });
  }

  if (saved !== undefined) {
    if (!(saved instanceof Uint8Array) || saved.length === 0) return null;
    loading = true;
    try {
      Y.applyUpdate(doc, saved, REMOTE);
    } catch {
      return null;
    }
    loading = false;
    for (const name of doc.share.keys()) if (isCollectionName(name)) root(name);
  }
  let clientId = pickClientId(doc, actor);
  doc.clientID = clientId;
  // Registered after the load: with an 'update' listener Yjs encodes every transaction's update,
  // and the load's would be the whole saved document encoded once more (~15 % of a cold open).
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === LOCAL) lastLocalUpdate = update;
  });

  return {
    backend: 'yjs',
    get,
    keys,
    entries: (collection) => keys(collection).map((key) => [key, get(collection, key)!]),
    collections: () => [...roots.keys()].filter((name) => keys(name).length > 0).sort(),
    change(mutations) {
      const list = normalizeMutations(mutations, get);
      if (list.length === 0) return null;
      lastLocalUpdate = null;
      doc.transact(() => {
        for (const m of list) {
          if (m.op === 'set') root(m.collection).set(m.key, m.value);
          else root(m.collection).delete(m.key);
        }
      }, LOCAL);
      const update: Uint8Array | null = lastLocalUpdate;
      assert(update !== null, 'a Yjs transaction with mutations emits an update');
      emit('local', takeTouched());
      return update;
    },
    apply(update) {
      const checked = checkYjsUpdate(update);
      if (!checked.ok) return checked;
      for (const name of checked.value) root(name);
      try {
        Y.applyUpdate(doc, update, REMOTE);
      } catch {
        // Not reached by any input the checker admits in our fuzzing; see checkYjsUpdate.
        takeTouched();
        sortedKeys.clear();
        return fail('malformed', 'Yjs could not integrate the update');
      }
      if (doc.clientID !== clientId) doc.clientID = clientId = pickClientId(doc, actor); // our id came back
      const keys = takeTouched();
      emit('remote', keys);
      return ok({ keys });
    },
    version: () => Y.encodeStateVector(doc),
    changesSince(version) {
      if (version === undefined) return Y.encodeStateAsUpdate(doc);
      try {
        Y.decodeStateVector(version);
        return Y.encodeStateAsUpdate(doc, version);
      } catch {
        return Y.encodeStateAsUpdate(doc); // an unreadable version is treated as empty
      }
    },
    save: () => Y.encodeStateAsUpdate(doc),
    on: (listener) => listeners.add(listener),
  };
}
