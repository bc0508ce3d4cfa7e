import type { DocId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import type { Inbound } from './inbound.js';
import { feedDocId, parseDocRef } from '../model/doc-ids.js';
import { decodeRecord } from './record.js';
import { decodeSnapshot, markSeen } from './snapshots.js';
import { MSG } from '../model/message.js';
import { quarantineOf } from './quarantine.js';
import { hiddenChanges } from './hidden-changes.js';
import { feedIndexOf } from './feed-index.js';
import { hlcMarkOf } from './hlc-mark.js';
import { departureReloads } from './departure-reloads.js';

/**
 * Restores the engine from storage. Opening loads the small documents (account, profiles,
 * contacts, membership logs) and only the newest feed chunk of each author of each
 * conversation; older chunks load on demand (`ensure`) when pagination or an edit reaches them.
 */
export interface Loader {
  open(): Promise<void>;
  /** The document in memory, loading it from storage if needed (undefined: it does not exist). */
  ensure(doc: DocId): Promise<LoadedDoc | undefined>;
  /** Resolves when no load is in flight (loads a departure or an arriving change started). */
  idle(): Promise<void>;
}

export function createLoader(core: Core, inbound: Inbound): Loader {
  const inflight = new Map<DocId, Promise<void>>();

  const replay = (changes: readonly DocChange[]): void => {
    const wasMuted = core.events.muted;
    core.restoring = true;
    core.events.muted = true;
    try {
      for (const c of changes) inbound.receive(c);
    } finally {
      core.restoring = false;
      core.events.muted = wasMuted;
    }
  };

  const readStored = async (doc: DocId): Promise<{ changes: DocChange[]; snapshot: Uint8Array | null }> => {
    const stored = await core.storage?.loadDoc(doc);
    const changes: DocChange[] = [];
    for (const bytes of stored?.updates ?? []) {
      const r = decodeRecord(bytes);
      if (r.ok) changes.push(r.value);
      else core.stats.invalidEntries++;
    }
    return { changes, snapshot: stored?.snapshot ?? null };
  };

  /** Restore a feed chunk from its snapshot; returns how many records it covers (0: none usable). */
  const restoreSnapshot = (doc: LoadedDoc, snapshot: Uint8Array | null, changes: readonly DocChange[]): number => {
    const decoded = snapshot === null ? null : decodeSnapshot(snapshot);
    if (decoded === null || decoded.covered > changes.length) return 0;
    const crdt = core.backend.load(decoded.saved, { actor: core.random.bytes(16) });
    if (!crdt.ok) return 0;
    core.docs.adopt(doc, crdt.value);
    for (let i = 0; i < decoded.covered; i++) {
      const change = changes[i]!;
      doc.records.push({ change, applied: true });
      markSeen(doc.seen, change);
    }
    doc.snapshotCovered = decoded.covered;
    const keys = crdt.value.keys(MSG);
    const newest = keys[keys.length - 1];
    if (newest !== undefined) core.hlc.observe(newest);
    return decoded.covered;
  };

  const load = (doc: DocId): Promise<void> => {
    let p = inflight.get(doc);
    if (p === undefined) {
      p = (async () => {
        const { changes, snapshot } = await readStored(doc);
        const ref = parseDocRef(doc);
        if (ref === null || !core.docs.isStoredUnloaded(doc)) return;
        let covered = 0;
        if (ref.kind !== 'members') {
          const loaded = core.docs.create(doc, ref);
          quarantineOf(core).seed(loaded);
          if (ref.kind === 'feed') covered = restoreSnapshot(loaded, snapshot, changes);
        }
        replay(covered === 0 ? changes : changes.slice(covered));
        const loaded = core.docs.peek(doc);
        if (loaded !== undefined) inbound.refilterCut(loaded);
        // What the load changed in the feed index (a chunk stored before it had one) is stored now.
        if (feedIndexOf(core).dirty(doc)) core.persister.commitMeta([]);
        inbound.drain(doc);
      })().finally(() => inflight.delete(doc));
      inflight.set(doc, p);
    }
    return p;
  };
  inbound.requestLoad = (doc) => load(doc).catch(() => undefined);

  return {
    async open() {
      const storage = core.storage;
      if (storage === undefined) return;
      await Promise.all([quarantineOf(core).ready, hiddenChanges(core).ready, feedIndexOf(core).ready, hlcMarkOf(core).ready, departureReloads(core).ready]);
      const ids = await storage.listDocs('');
      for (const id of ids) core.docs.noteStored(id);
      const rank = (id: string): number =>
        id.startsWith('account:') ? 0 : id.startsWith('members:') ? 1 : id.startsWith('feed:') ? 3 : id.startsWith('doc:') ? 4 : 2;
      const eager = ids.filter((id) => !id.startsWith('feed:')).sort((a, b) => rank(a) - rank(b));
      for (const id of eager) {
        if (id.startsWith('members:') || id.startsWith('doc:')) {
          replay((await readStored(id)).changes);
          continue;
        }
        await load(id);
      }
      const newest = new Set<DocId>();
      for (const id of ids) {
        const ref = parseDocRef(id);
        if (ref?.kind !== 'feed') continue;
        const chunks = core.docs.feedChunks(ref.conversation).get(ref.author) ?? [];
        newest.add(feedDocId(ref.conversation, ref.author, chunks[chunks.length - 1] ?? 0));
      }
      for (const id of newest) await load(id);
      // Chunks stored before the feed index existed are read once to index them (then evicted).
      for (const id of ids) if (id.startsWith('feed:') && !feedIndexOf(core).has(id)) await load(id);
      const outbox: DocChange[] = [];
      for (const { item } of await storage.outbox()) {
        const r = decodeRecord(item);
        if (r.ok) outbox.push(r.value);
      }
      core.persister.restoreOutbox(outbox);
      for (const conversation of core.groups.keys()) inbound.reevaluate(conversation);
      // Departures whose cut chunks were not all re-filtered before the last close (ADR 0019).
      for (const conversation of core.groups.keys()) departureReloads(core).check(conversation, inbound.requestLoad);
    },
    async ensure(doc) {
      if (core.docs.isStoredUnloaded(doc)) await load(doc);
      return core.docs.get(doc);
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight.values()]);
    },
  };
}
