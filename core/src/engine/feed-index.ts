import type { Json } from '../ports/crdt.js';
import type { StorageWrite, StoredValue } from '../ports/storage.js';
import type { ConversationId, DocId, UserId } from '../ids.js';
import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import { parseDocRef } from '../model/doc-ids.js';
import { CALL, CALLP, SHARE } from '../model/call.js';
import { REACT } from '../model/reaction.js';
import { RCPT } from '../model/receipt.js';
import { hiddenChanges } from './hidden-changes.js';
import { perCore } from './per-core.js';

/** Storage meta prefix: per feed chunk, its indexed entries (device-local, never synced). */
export const FEED_INDEX_META_PREFIX = 'engine/feed-index/';

/** The collections read across chunks: reactions, receipt watermarks, calls, call participants, screen shares. */
export const INDEXED_COLLECTIONS: ReadonlySet<string> = new Set([REACT, RCPT, CALL, CALLP, SHARE]);

/** One chunk's value of an indexed key. */
export interface IndexedValue {
  readonly doc: DocId;
  readonly author: UserId;
  readonly chunk: number;
  readonly value: Json;
}

/**
 * The feed index (ADR 0019): every feed chunk's reactions, receipts and call entries, as this
 * device shows them (through the hidden set, hidden-changes.ts), whether the chunk is loaded or
 * not — so readers answer without loading chunks, and chunks can leave memory.
 *
 * Maintained from the chunks themselves: a CRDT event marks the keys it touched, a reset or a
 * snapshot load marks all of them, and the marked keys are re-read from the live chunk before
 * any read (`values`, `entries`) and before any storage commit (`takeWrites`). One meta entry
 * per chunk holds its entries; the persister adds the entries that changed to the next commit —
 * the commit of the change that changed them — so storage never holds a chunk without its index.
 * Raw values are kept: readers parse and judge them (ID-1, ID-2, feed policy) when they read.
 */
export interface FeedIndex {
  /** Resolves once the persisted entries are loaded. */
  readonly ready: Promise<void>;
  /** A CRDT event on a loaded chunk touched `collection[key]`. */
  touched(doc: LoadedDoc, collection: string, key: string): void;
  /** The chunk's CRDT was replaced (reset for a replay, or loaded from a snapshot): re-read all. */
  replaced(doc: LoadedDoc): void;
  /** Whether a loaded chunk has marked keys not re-read yet, or entries not handed to storage yet. */
  dirty(doc: DocId): boolean;
  /** Whether the chunk has an index entry (stored or to be stored). */
  has(doc: DocId): boolean;
  /** Meta writes for every chunk whose entries changed since the last call. */
  takeWrites(): StorageWrite[];
  /** Each chunk's value of `collection[key]` in a conversation. */
  values(conversation: ConversationId, collection: string, key: string): IndexedValue[];
  /** Every entry of `collection` in a conversation, by key then chunk. */
  entries(conversation: ConversationId, collection: string): Array<[string, IndexedValue]>;
  /** The chunk number of `author`'s newest chunk holding `collection[key]`, or undefined. */
  newestWith(conversation: ConversationId, author: UserId, collection: string, key: string): number | undefined;
}

const SEP = '\u0000';
/** The feed index of this engine (created on first use, loading from storage). */
export const feedIndexOf = perCore(createFeedIndex);

function createFeedIndex(core: Core): FeedIndex {
  const hidden = hiddenChanges(core);
  /** conversation → collection → key → doc → value */
  const byConv = new Map<ConversationId, Map<string, Map<string, Map<DocId, IndexedValue>>>>();
  /** doc → `collection SEP key` → value */
  const byDoc = new Map<DocId, Map<string, Json>>();
  /** Loaded chunks with keys to re-read (`all`: every indexed key). */
  const marked = new Map<DocId, { doc: LoadedDoc; keys: Set<string> | 'all' }>();
  /** Chunks whose entries differ from what storage holds. */
  const unstored = new Set<DocId>();

  const slot = (conversation: ConversationId, collection: string, key: string): Map<DocId, IndexedValue> => {
    let cols = byConv.get(conversation);
    if (cols === undefined) byConv.set(conversation, (cols = new Map<string, Map<string, Map<DocId, IndexedValue>>>()));
    let keys = cols.get(collection);
    if (keys === undefined) cols.set(collection, (keys = new Map<string, Map<DocId, IndexedValue>>()));
    let docs = keys.get(key);
    if (docs === undefined) keys.set(key, (docs = new Map<DocId, IndexedValue>()));
    return docs;
  };
  const put = (doc: DocId, ref: { conversation: ConversationId; author: UserId; chunk: number }, ck: string, value: Json | undefined): void => {
    const sep = ck.indexOf(SEP);
    const collection = ck.slice(0, sep);
    const key = ck.slice(sep + 1);
    let entries = byDoc.get(doc);
    if (entries === undefined) byDoc.set(doc, (entries = new Map<string, Json>()));
    if (value === undefined) {
      entries.delete(ck);
      const docs = byConv.get(ref.conversation)?.get(collection)?.get(key);
      docs?.delete(doc);
      if (docs?.size === 0) byConv.get(ref.conversation)?.get(collection)?.delete(key);
      return;
    }
    entries.set(ck, value);
    slot(ref.conversation, collection, key).set(doc, { doc, author: ref.author, chunk: ref.chunk, value });
  };

  /** Re-reads the marked keys of loaded chunks through the hidden set. */
  const resolve = (): void => {
    if (marked.size === 0) return;
    const work = [...marked.values()];
    marked.clear();
    for (const { doc, keys } of work) {
      if (doc.ref.kind !== 'feed') continue;
      const ref = doc.ref;
      const old = byDoc.get(doc.id);
      let cks: Iterable<string>;
      if (keys === 'all') {
        const all = new Set(old?.keys() ?? []);
        for (const c of INDEXED_COLLECTIONS) for (const k of doc.crdt.keys(c)) all.add(c + SEP + k);
        cks = all;
      } else cks = keys;
      if (old === undefined) unstored.add(doc.id);
      for (const ck of cks) {
        const sep = ck.indexOf(SEP);
        const value = hidden.get(doc, ck.slice(0, sep), ck.slice(sep + 1));
        const was = old?.get(ck);
        if (value === was || (value !== undefined && was !== undefined && JSON.stringify(value) === JSON.stringify(was))) continue;
        put(doc.id, ref, ck, value);
        unstored.add(doc.id);
      }
      if (!byDoc.has(doc.id)) byDoc.set(doc.id, new Map());
    }
  };

  /** Marks one `collection SEP key` of a loaded chunk, or all of them (null). */
  const mark = (doc: LoadedDoc, ck: string | null): void => {
    if (doc.ref.kind !== 'feed') return;
    let m = marked.get(doc.id);
    if (m === undefined || m.doc !== doc) marked.set(doc.id, (m = { doc, keys: new Set() }));
    if (ck === null) m.keys = 'all';
    else if (m.keys !== 'all') m.keys.add(ck);
  };

  const ready = (async () => {
    const listed = (await core.storage?.listMeta(FEED_INDEX_META_PREFIX).catch(() => [])) ?? [];
    for (const [metaKey, value] of listed) {
      const doc = metaKey.slice(FEED_INDEX_META_PREFIX.length) as DocId;
      const ref = parseDocRef(doc);
      const parsed = ref?.kind === 'feed' ? parseEntries(value) : null;
      if (ref?.kind !== 'feed' || parsed === null) {
        core.stats.invalidEntries++;
        continue;
      }
      // Entries recorded in memory before the load finished are newer: keep them.
      if (byDoc.has(doc)) continue;
      byDoc.set(doc, new Map());
      for (const [ck, v] of parsed) put(doc, ref, ck, v);
    }
  })();
  // Masks loaded after a chunk was read change what it shows: re-read the loaded ones.
  void hidden.ready.then(() => {
    for (const doc of core.docs.loaded()) if (doc.ref.kind === 'feed') mark(doc, null);
  });

  return {
    ready,
    touched(doc, collection, key) {
      if (INDEXED_COLLECTIONS.has(collection)) mark(doc, collection + SEP + key);
    },
    replaced: (doc) => mark(doc, null),
    dirty: (doc) => marked.has(doc) || unstored.has(doc),
    has: (doc) => byDoc.has(doc) || marked.has(doc),
    takeWrites() {
      resolve();
      if (unstored.size === 0) return [];
      const writes: StorageWrite[] = [];
      for (const doc of unstored) {
        const entries = byDoc.get(doc);
        const value: Json[] = [];
        for (const [ck, v] of entries ?? []) {
          const sep = ck.indexOf(SEP);
          value.push([ck.slice(0, sep), ck.slice(sep + 1), v]);
        }
        writes.push({ type: 'putMeta', key: FEED_INDEX_META_PREFIX + doc, value });
      }
      unstored.clear();
      return writes;
    },
    values(conversation, collection, key) {
      resolve();
      return sortByChunk([...(byConv.get(conversation)?.get(collection)?.get(key)?.values() ?? [])]);
    },
    entries(conversation, collection) {
      resolve();
      const out: Array<[string, IndexedValue]> = [];
      for (const [key, docs] of byConv.get(conversation)?.get(collection) ?? []) for (const v of sortByChunk([...docs.values()])) out.push([key, v]);
      return out;
    },
    newestWith(conversation, author, collection, key) {
      resolve();
      let best: number | undefined;
      for (const v of byConv.get(conversation)?.get(collection)?.get(key)?.values() ?? []) {
        if (v.author === author && (best === undefined || v.chunk > best)) best = v.chunk;
      }
      return best;
    },
  };
}

const sortByChunk = (values: IndexedValue[]): IndexedValue[] =>
  values.sort((a, b) => (a.author < b.author ? -1 : a.author > b.author ? 1 : a.chunk - b.chunk));

function parseEntries(value: StoredValue): Array<[string, Json]> | null {
  if (!Array.isArray(value)) return null;
  const out: Array<[string, Json]> = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 3) return null;
    const [collection, key, v] = item;
    if (typeof collection !== 'string' || !INDEXED_COLLECTIONS.has(collection) || typeof key !== 'string' || key.length === 0 || key.includes(SEP) || v === undefined) return null;
    out.push([collection + SEP + key, v]);
  }
  return out;
}
