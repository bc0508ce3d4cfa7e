import type { StoredValue } from '../ports/storage.js';
import type { ConversationId, DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import { isUuid } from '../ids.js';
import { parseDocRef } from '../model/doc-ids.js';
import { perCore } from './per-core.js';

/** Storage meta prefix: per document, the changes that were quarantined (device-local). */
export const QUARANTINE_META_PREFIX = 'engine/quarantine/';
/** Entries kept per document (beyond it the oldest leave; their counters may show as gaps again). */
export const MAX_QUARANTINED_PER_DOC = 1000;

/** A change this device could not read (SBX-7): never applied, no longer missing. */
export interface QuarantinedChange {
  readonly doc: DocId;
  /** The conversation of a feed or membership document, else null. */
  readonly conversation: ConversationId | null;
  readonly author: UserId;
  readonly device: string;
  readonly counter: number;
  /** Why: the decode sandbox's code (`decode_timeout`, `malformed`, `unauthorized`, `too_large`) or the engine's. */
  readonly reason: string;
}

/**
 * Quarantined changes (docs/PROTOCOL.md SBX-7, ADR 0016): a change from another member that the
 * decode sandbox refused, or that the CRDT could not apply, is recorded with its author instead of
 * being dropped silently. Its counter counts as seen, so it is not reported as a gap (the sync
 * state returns to `upToDate`); a `quarantined` event names the author so the app can say "a
 * message from X could not be read". Nothing of it is applied. The author's later changes are
 * applied as usual; the CRDT shows those that do not depend on the quarantined one and keeps the
 * others pending (`kith.quarantined()` lists the author as misbehaving in that document).
 * Persisted in storage meta, restored at open, never synced.
 */
export interface Quarantine {
  readonly ready: Promise<void>;
  /** Records `change` as quarantined; false when its counter was seen already (nothing recorded). */
  record(change: DocChange, reason: string): boolean;
  /** Marks the quarantined counters of `doc` as seen (after the document is created or loaded). */
  seed(doc: LoadedDoc): void;
  list(): QuarantinedChange[];
}

/** The quarantine of this engine (created on first use). */
export const quarantineOf = perCore(createQuarantine);

const conversationOf = (doc: DocId): ConversationId | null => {
  const ref = parseDocRef(doc);
  return ref?.kind === 'feed' || ref?.kind === 'members' ? ref.conversation : null;
};

function parseEntries(doc: DocId, value: StoredValue): QuarantinedChange[] | null {
  if (!Array.isArray(value)) return null;
  const out: QuarantinedChange[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 4) return null;
    const [author, device, counter, reason] = item;
    if (!isUuid(author) || !isUuid(device) || typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 1 || typeof reason !== 'string') return null;
    out.push({ doc, conversation: conversationOf(doc), author: author as UserId, device, counter, reason: reason.slice(0, 64) });
  }
  return out;
}

function createQuarantine(core: Core): Quarantine {
  const byDoc = new Map<DocId, QuarantinedChange[]>();
  const ready = (async () => {
    const listed = (await core.storage?.listMeta(QUARANTINE_META_PREFIX).catch(() => [])) ?? [];
    for (const [key, value] of listed) {
      const doc = key.slice(QUARANTINE_META_PREFIX.length) as DocId;
      const entries = parseEntries(doc, value);
      if (entries === null) core.stats.invalidEntries++;
      else byDoc.set(doc, [...entries, ...(byDoc.get(doc) ?? [])]);
    }
  })();
  const seed = (doc: LoadedDoc): void => {
    for (const e of byDoc.get(doc.id) ?? []) doc.seen.add(e.author, e.device, e.counter);
  };
  return {
    ready,
    seed,
    record(change, reason) {
      const loaded = core.docs.get(change.doc);
      if (loaded?.seen.has(change.author, change.device, change.counter) === true) return false;
      const list = byDoc.get(change.doc) ?? [];
      if (list.some((e) => e.author === change.author && e.device === change.device && e.counter === change.counter)) return false;
      const entry: QuarantinedChange = { doc: change.doc, conversation: conversationOf(change.doc), author: change.author, device: change.device, counter: change.counter, reason };
      list.push(entry);
      if (list.length > MAX_QUARANTINED_PER_DOC) list.shift();
      byDoc.set(change.doc, list);
      core.stats.quarantined++;
      // A document not in memory nor in storage yet is created (empty), so the mark holds now;
      // a stored one not loaded gets it when it loads (`seed`).
      const ref = parseDocRef(change.doc);
      if (loaded !== undefined) seed(loaded);
      else if (ref !== null && ref.kind !== 'members' && !core.docs.isStoredUnloaded(change.doc)) seed(core.docs.create(change.doc, ref));
      if (!core.restoring) {
        core.persister.commitMeta([{ type: 'putMeta', key: QUARANTINE_META_PREFIX + change.doc, value: list.map((e) => [e.author, e.device, e.counter, e.reason]) }]);
      }
      core.events.emit('quarantined', { conversation: entry.conversation, doc: entry.doc, author: entry.author, reason });
      return true;
    },
    list: () => [...byDoc.values()].flat(),
  };
}
