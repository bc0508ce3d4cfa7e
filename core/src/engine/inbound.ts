import type { Result } from '../errors.js';
import type { ConversationId, DocId, MessageId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { CrdtTouched } from '../ports/crdt.js';
import type { Core, GroupSlot } from './core.js';
import type { DocRecord, LoadedDoc } from './doc-registry.js';
import { fail, ok } from '../errors.js';
import { isUuid } from '../ids.js';
import { parseDocRef } from '../model/doc-ids.js';
import { createMembershipLog } from '../model/membership/membership-log.js';
import { createSeenCounters } from './seen-counters.js';
import { feedVerdict, isDirectWith } from './feed-policy.js';
import { crdtBytes, maybeSnapshot } from './snapshots.js';
import { authoriseChange, hideOnArrival } from './authorise-change.js';
import { receiveSnapshot } from './receive-snapshot.js';
import { emitRetracted, shownKeys, type ShownKeys } from './retractions.js';
import { hiddenChanges } from './hidden-changes.js';
import { quarantineOf } from './quarantine.js';
import { departureReloads, departureSignature } from './departure-reloads.js';
import { sharedDocsOf } from '../docs/shared-doc-store.js';

export type ReceiveStatus = 'applied' | 'duplicate' | 'pending';

/** Held feed changes across all documents before `receive` refuses more. */
export const MAX_HELD = 10_000;
/** Membership logs that have not seen their `create` yet (strangers' ops cannot grow memory unboundedly). */
export const MAX_UNCREATED_GROUPS = 1_000;

/**
 * The inbound path: authorise from the document id and the proven author BEFORE decoding the
 * payload, dedup by (doc, author, device, counter), apply or hold, persist. Never throws.
 */
export interface Inbound {
  receive(change: DocChange): Result<ReceiveStatus>;
  /** Re-run the feed policy over a conversation's chunks (after membership changes). */
  reevaluate(conversation: ConversationId): void;
  /** After a chunk loads: take back what a departure cuts (its snapshot was taken before it was known). */
  refilterCut(doc: LoadedDoc): void;
  ensureGroup(conversation: ConversationId): GroupSlot;
  /** Set by the loader: start loading a stored document; changes wait for it (never rejects). */
  requestLoad: (doc: DocId) => Promise<void>;
  /** Replay the changes that arrived while `doc` was loading (called by the loader). */
  drain(doc: DocId): void;
  heldCount(): number;
}

export function createInbound(core: Core): Inbound {
  let held = 0;
  const hidden = hiddenChanges(core);
  const quarantine = quarantineOf(core);

  /** Apply a blocked author's change with its effects masked; events stay silent (nothing shown changes). */
  const applyHidden = (doc: LoadedDoc, payload: Uint8Array): Result<CrdtTouched> => {
    const wasMuted = core.events.muted;
    core.events.muted = true;
    let deleted: string[] = [];
    try {
      const masked = hidden.masked(doc, () => doc.crdt.apply(payload));
      deleted = masked.deleted;
      if (masked.writes.length > 0) core.persister.commitMeta(masked.writes);
      // Counted with the refusals: the content is refused display (kith.stats().rejected).
      if (masked.value.ok) core.stats.rejected++;
      return masked.value;
    } finally {
      core.events.muted = wasMuted;
      if (doc.ref.kind === 'feed') {
        for (const id of deleted) core.events.emit('messageDeleted', { conversation: doc.ref.conversation, id: id as MessageId, author: doc.ref.author });
      }
    }
  };
  const awaitingLoad = new Map<DocId, DocChange[]>();

  /** Per group, a signature of who left or was removed and their cutoffs: when it changes, an
   *  applied change may have become cut, so every chunk is re-checked; otherwise only chunks
   *  with held changes are. */
  const departures = new Map<ConversationId, string>();

  const applyRecord = (doc: LoadedDoc, rec: DocRecord): void => {
    // Held while its author was blocked (persisted, so also after a restart): masked now.
    const { held: hide, writes } = hidden.takeHeld(rec.change);
    if (writes.length > 0) core.persister.commitMeta(writes);
    const bytes = crdtBytes(rec.change);
    const r = bytes === null ? fail('malformed', 'undecodable snapshot') : hide ? applyHidden(doc, bytes) : doc.crdt.apply(bytes);
    rec.applied = true;
    held--;
    doc.held--;
    if (!r.ok) core.stats.rejected++;
  };

  /** Apply what the feed policy allows now and take back what it no longer allows (replaying the rest). */
  const refilter = (conversation: ConversationId, doc: LoadedDoc): void => {
    const want = doc.records.map((rec) => feedVerdict(core, conversation, doc.id, rec.change) === 'allow');
    let before: ShownKeys | null = null;
    if (doc.records.some((rec, i) => rec.applied && !want[i])) {
      // A change we applied is no longer allowed (a removal sorted earlier): replay the rest.
      before = shownKeys(doc);
      core.docs.resetCrdt(doc);
      for (const rec of doc.records) {
        if (!rec.applied) continue;
        rec.applied = false;
        held++;
        doc.held++;
      }
    }
    doc.records.forEach((rec, i) => {
      if (!rec.applied && want[i]) applyRecord(doc, rec);
    });
    if (before !== null) emitRetracted(core, conversation, doc, before);
  };

  const heldFull = (): boolean => held >= MAX_HELD;
  const countHeld = (doc: LoadedDoc): void => {
    held++;
    doc.held++;
  };

  const inbound: Inbound = {
    requestLoad: () => Promise.resolve(),
    heldCount: () => held,
    drain(doc) {
      const list = awaitingLoad.get(doc);
      awaitingLoad.delete(doc);
      for (const c of list ?? []) inbound.receive(c);
    },

    ensureGroup(conversation) {
      let slot = core.groups.get(conversation);
      if (slot !== undefined) return slot;
      const log = createMembershipLog(conversation);
      slot = { log, seen: createSeenCounters() };
      core.groups.set(conversation, slot);
      log.on(() => {
        inbound.reevaluate(conversation);
        core.events.emit('membership', { conversation });
      });
      return slot;
    },

    reevaluate(conversation) {
      sharedDocsOf(core).reevaluate(conversation);
      const signature = departureSignature(core, conversation);
      const previous = departures.get(conversation);
      const full = signature !== (previous ?? '');
      departures.set(conversation, signature);
      for (const doc of core.docs.loadedFeedDocs(conversation)) {
        if (!full && doc.held === 0) continue;
        refilter(conversation, doc);
      }
      // A departure learned live may cut changes in a former member's chunks that are not in
      // memory (ADR 0019): they load and re-filter, once (departure-reloads.ts). While restoring,
      // the loader checks every group at the end of the open instead.
      if (full && !core.restoring) departureReloads(core).check(conversation, inbound.requestLoad);
    },

    refilterCut(doc) {
      if (doc.ref.kind !== 'feed') return;
      const conversation = doc.ref.conversation;
      if (doc.records.some((rec) => rec.applied && feedVerdict(core, conversation, doc.id, rec.change) === 'cut')) refilter(conversation, doc);
    },

    receive(change) {
      try {
        return receiveUnchecked(change);
      } catch (error) {
        core.stats.rejected++;
        return fail('malformed', 'change could not be processed', error);
      }
    },
  };

  function receiveUnchecked(change: DocChange): Result<ReceiveStatus> {
    const reject = (r: Result<never>): Result<ReceiveStatus> => {
      core.stats.rejected++;
      return r;
    };
    if (!Number.isSafeInteger(change.counter) || change.counter < 1) return reject(fail('malformed', 'bad counter'));
    if (!isUuid(change.author) || !isUuid(change.device) || !(change.payload instanceof Uint8Array)) {
      return reject(fail('malformed', 'bad change header'));
    }
    const ref = parseDocRef(change.doc);
    if (ref === null) return reject(fail('invalid_id', 'unknown document id'));
    const auth = authoriseChange(core, ref, change);
    if (!auth.ok) return reject(auth);

    if (ref.kind === 'members') {
      if (!core.groups.has(ref.conversation) && !core.restoring) {
        let uncreated = 0;
        for (const s of core.groups.values()) if (!s.log.state().created) uncreated++;
        if (uncreated >= MAX_UNCREATED_GROUPS) return reject(fail('rate_limited', 'too many unknown groups'));
      }
      const slot = inbound.ensureGroup(ref.conversation);
      if (slot.seen.has(change.author, change.device, change.counter)) return duplicate();
      const r = slot.log.receive(change.payload, change.author);
      if (!r.ok) return reject(r);
      slot.seen.add(change.author, change.device, change.counter);
      persist(change);
      return ok(r.value.status === 'pending' ? 'pending' : 'applied');
    }

    if (ref.kind === 'doc') {
      const r = sharedDocsOf(core).receive(change, ref);
      if (!r.ok) return reject(r);
      if (r.value === 'duplicate') return r;
      if (isDirectWith(core.me, change.author, ref.conversation) && !core.directs.has(ref.conversation)) {
        core.directs.set(ref.conversation, change.author);
        inbound.reevaluate(ref.conversation);
        core.events.emit('conversation', { conversation: ref.conversation });
      }
      return r;
    }

    if (core.docs.isStoredUnloaded(change.doc)) {
      const list = awaitingLoad.get(change.doc) ?? [];
      if (list.length === 0) awaitingLoad.set(change.doc, list);
      list.push(change);
      void inbound.requestLoad(change.doc);
      return ok('pending');
    }
    const doc = core.docs.get(change.doc) ?? core.docs.create(change.doc, ref);
    quarantine.seed(doc);
    if (doc.seen.has(change.author, change.device, change.counter)) return duplicate();

    // SBX-7: bytes the CRDT cannot apply are quarantined (counted, attributed, not a gap).
    const unreadable = (r: Result<never>): Result<ReceiveStatus> => {
      if (!core.restoring) quarantine.record(change, r.ok ? 'malformed' : r.error.code);
      return reject(r);
    };
    // ADR 0022: only feed chunks are compacted; a snapshot anywhere else is refused.
    if (change.kind === 'snapshot') {
      return receiveSnapshot(core, { applyHidden, heldFull, countHeld, persist }, doc, change, unreadable);
    }
    if (ref.kind !== 'feed') {
      const r = doc.crdt.apply(change.payload);
      if (!r.ok) return unreadable(r);
      doc.seen.add(change.author, change.device, change.counter);
      persist(change);
      return ok('applied');
    }

    const verdict = feedVerdict(core, ref.conversation, doc.id, change);
    const hide = hideOnArrival(core, change);
    if (verdict === 'allow') {
      const r = hide ? applyHidden(doc, change.payload) : doc.crdt.apply(change.payload);
      if (!r.ok) return unreadable(r);
      doc.records.push({ change, applied: true });
    } else {
      if (held >= MAX_HELD && !core.restoring) return reject(fail('rate_limited', 'too many held changes'));
      if (hide) core.persister.commitMeta(hidden.hold(change));
      doc.records.push({ change, applied: false });
      held++;
      doc.held++;
    }
    doc.seen.add(change.author, change.device, change.counter);
    persist(change);
    maybeSnapshot(core, doc);
    if (isDirectWith(core.me, change.author, ref.conversation) && !core.directs.has(ref.conversation)) {
      core.directs.set(ref.conversation, change.author);
      inbound.reevaluate(ref.conversation); // my own devices' changes held for it can apply now
      core.events.emit('conversation', { conversation: ref.conversation });
    }
    return ok(verdict === 'allow' ? 'applied' : 'pending');
  }

  function duplicate(): Result<ReceiveStatus> {
    core.stats.duplicates++;
    return ok('duplicate');
  }

  function persist(change: DocChange): void {
    if (!core.restoring) core.persister.commitRemote(change);
  }

  return inbound;
}
