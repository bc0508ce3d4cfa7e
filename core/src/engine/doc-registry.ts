import type { CrdtBackend, CrdtDocument, CrdtEvent } from '../ports/crdt.js';
import type { Random } from '../ports/random.js';
import type { ConversationId, DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { DocRef } from '../model/doc-ids.js';
import type { SeenCounters } from './seen-counters.js';
import { feedDocId, parseDocRef } from '../model/doc-ids.js';
import { createSeenCounters } from './seen-counters.js';

/** One accepted change of a feed chunk; `applied` is false while policy holds it back. */
export interface DocRecord {
  readonly change: DocChange;
  applied: boolean;
}

/** A CRDT document held in memory (profile, account, contact or a feed chunk). */
export interface LoadedDoc {
  readonly id: DocId;
  readonly ref: DocRef;
  crdt: CrdtDocument;
  /** Feed chunks keep every accepted change so a membership change can re-filter them. */
  readonly records: DocRecord[];
  readonly seen: SeenCounters;
  /** Cached number of `msg` keys (null: recount). */
  msgCount: number | null;
  /** How many of `records` the last stored snapshot covers. */
  snapshotCovered: number;
  /** How many of `records` are not applied (held back by the feed policy). */
  held: number;
}

/**
 * The documents the engine knows: loaded ones, and ones that exist in storage but are not
 * loaded yet (older feed chunks load on demand). Feed chunks are indexed per conversation and
 * author so pagination walks them newest-first.
 */
export interface DocRegistry {
  /** The loaded document (a feed chunk becomes the most recently used). */
  get(id: DocId): LoadedDoc | undefined;
  /** Like `get`, without counting as a use. */
  peek(id: DocId): LoadedDoc | undefined;
  /** A new empty in-memory document (not in storage, or its records are about to be replayed). */
  create(id: DocId, ref: DocRef): LoadedDoc;
  /** Replace the CRDT of a feed chunk by an empty one (to replay a filtered set of records). */
  resetCrdt(doc: LoadedDoc): void;
  /** Use a CRDT loaded from a snapshot for this document. */
  adopt(doc: LoadedDoc, crdt: CrdtDocument): void;
  /** Register a document that exists in storage but is not loaded. */
  noteStored(id: DocId): void;
  isStoredUnloaded(id: DocId): boolean;
  /** Chunk numbers per author for a conversation, ascending (loaded or stored). */
  feedChunks(conversation: ConversationId): Map<UserId, number[]>;
  loadedFeedDocs(conversation: ConversationId): LoadedDoc[];
  loaded(): Iterable<LoadedDoc>;
  /** Loaded feed chunks, least recently used first. */
  feedByUse(): IterableIterator<LoadedDoc>;
  loadedFeedCount(): number;
  /** Whether `doc` is its author's newest chunk in its conversation (new entries go there). */
  isNewestChunk(doc: LoadedDoc): boolean;
  /** Drop a feed chunk from memory; it stays in storage and loads again on demand. */
  evict(id: DocId): void;
}

export interface DocRegistryHooks {
  /** Every CRDT event of a loaded document. */
  readonly onEvent: (doc: LoadedDoc, event: CrdtEvent) => void;
  /** A document's CRDT was replaced whole (reset for a replay, or adopted from a snapshot). */
  readonly onReplaced?: (doc: LoadedDoc) => void;
  /** A feed chunk entered memory (created or loaded). */
  readonly onFeedLoaded?: (doc: LoadedDoc) => void;
}

export function createDocRegistry(
  backend: CrdtBackend,
  random: Random,
  hooks: DocRegistryHooks,
): DocRegistry {
  const { onEvent, onReplaced, onFeedLoaded } = hooks;
  const docs = new Map<DocId, LoadedDoc>();
  /** Loaded feed chunks in order of use (a Map keeps insertion order: re-inserted on use). */
  const feedUse = new Map<DocId, LoadedDoc>();
  const use = (doc: LoadedDoc | undefined): LoadedDoc | undefined => {
    if (doc !== undefined && doc.ref.kind === 'feed') {
      feedUse.delete(doc.id);
      feedUse.set(doc.id, doc);
    }
    return doc;
  };
  const unloaded = new Set<DocId>();
  const chunks = new Map<ConversationId, Map<UserId, Set<number>>>();
  const unsubscribe = new Map<DocId, () => void>();

  const index = (id: DocId, ref: DocRef): void => {
    if (ref.kind !== 'feed') return;
    let byAuthor = chunks.get(ref.conversation);
    if (byAuthor === undefined) chunks.set(ref.conversation, (byAuthor = new Map<UserId, Set<number>>()));
    let set = byAuthor.get(ref.author);
    if (set === undefined) byAuthor.set(ref.author, (set = new Set()));
    set.add(ref.chunk);
    void id;
  };
  const attach = (doc: LoadedDoc, crdt: CrdtDocument): void => {
    unsubscribe.get(doc.id)?.();
    doc.crdt = crdt;
    unsubscribe.set(doc.id, crdt.on((event) => onEvent(doc, event)));
  };

  return {
    get: (id) => use(docs.get(id)),
    peek: (id) => docs.get(id),
    create(id, ref) {
      const existing = docs.get(id);
      if (existing !== undefined) return use(existing)!;
      const doc: LoadedDoc = { id, ref, crdt: backend.create({ actor: random.bytes(16) }), records: [], seen: createSeenCounters(), msgCount: 0, snapshotCovered: 0, held: 0 };
      attach(doc, doc.crdt);
      docs.set(id, doc);
      unloaded.delete(id);
      index(id, ref);
      use(doc);
      if (ref.kind === 'feed') onFeedLoaded?.(doc);
      return doc;
    },
    resetCrdt(doc) {
      attach(doc, backend.create({ actor: random.bytes(16) }));
      doc.msgCount = null;
      onReplaced?.(doc);
    },
    adopt(doc, crdt) {
      attach(doc, crdt);
      doc.msgCount = null;
      onReplaced?.(doc);
    },
    noteStored(id) {
      const ref = parseDocRef(id);
      if (ref === null || docs.has(id)) return;
      unloaded.add(id);
      index(id, ref);
    },
    isStoredUnloaded: (id) => unloaded.has(id),
    feedChunks(conversation) {
      const out = new Map<UserId, number[]>();
      for (const [author, set] of chunks.get(conversation) ?? []) out.set(author, [...set].sort((a, b) => a - b));
      return out;
    },
    loadedFeedDocs(conversation) {
      const out: LoadedDoc[] = [];
      for (const [author, set] of chunks.get(conversation) ?? []) {
        for (const n of set) {
          const d = docs.get(feedDocId(conversation, author, n));
          if (d !== undefined) out.push(d);
        }
      }
      return out;
    },
    loaded: () => docs.values(),
    feedByUse: () => feedUse.values(),
    loadedFeedCount: () => feedUse.size,
    isNewestChunk(doc) {
      if (doc.ref.kind !== 'feed') return false;
      const { chunk } = doc.ref;
      for (const n of chunks.get(doc.ref.conversation)?.get(doc.ref.author) ?? []) if (n > chunk) return false;
      return true;
    },
    evict(id) {
      const doc = docs.get(id);
      if (doc === undefined || doc.ref.kind !== 'feed') return;
      unsubscribe.get(id)?.();
      unsubscribe.delete(id);
      docs.delete(id);
      feedUse.delete(id);
      unloaded.add(id);
    },
  };
}
