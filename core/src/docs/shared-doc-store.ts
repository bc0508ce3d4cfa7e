import type { Result } from '../errors.js';
import type { ConversationId, DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from '../engine/core.js';
import type { SeenCounters } from '../engine/seen-counters.js';
import type { SharedDocRef } from './shared-doc-policy.js';
import { fail, ok } from '../errors.js';
import { perCore } from '../engine/per-core.js';
import { createSeenCounters } from '../engine/seen-counters.js';
import { emitOutgoing } from '../engine/emit-outgoing.js';
import { sharedDocVerdict } from './shared-doc-policy.js';

/** Where a shared document's allowed changes go: the open handle's backend document. */
export interface SharedDocSink {
  /** Apply one allowed change (remote, or restored); false when the bytes could not be applied. */
  apply(payload: Uint8Array): boolean;
  /** An applied change became cut (DOC-4): rebuild from these allowed changes, in order. */
  replace(payloads: readonly Uint8Array[]): void;
  /** The conversation's membership changed (after the re-filter): who may write may have too. */
  membershipChanged?(): void;
}

interface SharedRecord {
  readonly change: DocChange;
  applied: boolean;
}

interface SharedDocState {
  readonly id: DocId;
  readonly ref: SharedDocRef;
  readonly records: SharedRecord[];
  readonly seen: SeenCounters;
  readonly sinks: Set<SharedDocSink>;
}

/**
 * The engine's shared documents (ADR 0025): per document the log of changes it accepted (kept so
 * a removal can re-filter them, like feed chunks), judged by DOC-4 before their bytes are looked
 * at. The engine never decodes them: an open handle's sink applies them to the app's document.
 */
export interface SharedDocStore {
  /** An authenticated change of a shared document (from `kith.receive` or a storage replay). */
  receive(change: DocChange, ref: SharedDocRef): Result<'applied' | 'duplicate' | 'pending'>;
  /**
   * A local edit: next counter of (doc, this device), durable with its outbox item, then emitted.
   * The other open handles of the document on this device (not `from`, which made it) apply it.
   */
  write(id: DocId, ref: SharedDocRef, payload: Uint8Array, from?: SharedDocSink): Promise<DocChange>;
  /** Follow a document (it is subscribed from now on) and feed its allowed changes to `sink`. */
  attach(id: DocId, ref: SharedDocRef, sink: SharedDocSink): () => void;
  /** Re-judge a conversation's shared documents after a membership change. */
  reevaluate(conversation: ConversationId): void;
  /** The payloads of the document's allowed changes, in order (what a rebuilt document applies). */
  allowed(id: DocId): Uint8Array[];
  /** Per `${doc}|${device}`, the counters of `user`'s changes applied in a conversation (for cutoffs, M2). */
  accepted(conversation: ConversationId, user: UserId): Map<string, Set<number>>;
  /** The shared documents this device follows (opened, stored or received). */
  ids(): DocId[];
  /** Held (not applied) changes across the shared documents. */
  held(): number;
  /** Called when a document is followed for the first time (the sync layer subscribes it). */
  onFollow(listener: () => void): () => void;
}

export const sharedDocsOf = perCore((core: Core): SharedDocStore => {
  const docs = new Map<DocId, SharedDocState>();
  const followers = new Set<() => void>();
  const stateOf = (id: DocId, ref: SharedDocRef): SharedDocState => {
    let s = docs.get(id);
    if (s === undefined) {
      docs.set(id, (s = { id, ref, records: [], seen: createSeenCounters(), sinks: new Set() }));
      for (const l of followers) {
        try {
          l();
        } catch {
          core.stats.listenerErrors++;
        }
      }
    }
    return s;
  };
  const feed = (s: SharedDocState, payload: Uint8Array): void => {
    for (const sink of s.sinks) if (!sink.apply(payload)) core.stats.rejected++;
  };
  const refilter = (s: SharedDocState): void => {
    const want = s.records.map((rec) => sharedDocVerdict(core, s.ref, s.id, rec.change) === 'allow');
    if (s.records.some((rec, i) => rec.applied && !want[i])) {
      s.records.forEach((rec, i) => (rec.applied = want[i] === true));
      const payloads = s.records.filter((rec) => rec.applied).map((rec) => rec.change.payload);
      for (const sink of s.sinks) sink.replace(payloads);
      return;
    }
    s.records.forEach((rec, i) => {
      if (rec.applied || want[i] !== true) return;
      rec.applied = true;
      feed(s, rec.change.payload);
    });
  };

  return {
    receive(change, ref) {
      if (change.kind !== 'update') return fail('malformed', 'a shared document takes update changes only');
      const s = stateOf(change.doc, ref);
      if (s.seen.has(change.author, change.device, change.counter)) {
        core.stats.duplicates++;
        return ok('duplicate');
      }
      const allowed = sharedDocVerdict(core, ref, change.doc, change) === 'allow';
      s.records.push({ change, applied: allowed });
      s.seen.add(change.author, change.device, change.counter);
      if (!core.restoring) core.persister.commitRemote(change);
      if (!allowed) return ok('pending');
      feed(s, change.payload);
      return ok('applied');
    },
    async write(id, ref, payload, from) {
      core.persister.expectHealthy();
      const s = stateOf(id, ref);
      const change: DocChange = { doc: id, kind: 'update', author: core.me, device: core.device, counter: s.seen.max(core.me, core.device) + 1, payload };
      s.seen.add(core.me, core.device, change.counter);
      s.records.push({ change, applied: true });
      for (const sink of s.sinks) if (sink !== from && !sink.apply(payload)) core.stats.rejected++;
      await core.persister.commitLocal(change);
      emitOutgoing(core, change);
      return change;
    },
    attach(id, ref, sink) {
      const s = stateOf(id, ref);
      s.sinks.add(sink);
      for (const rec of s.records) if (rec.applied && !sink.apply(rec.change.payload)) core.stats.rejected++;
      return () => void s.sinks.delete(sink);
    },
    reevaluate(conversation) {
      for (const s of docs.values()) {
        if (s.ref.conversation !== conversation) continue;
        refilter(s);
        for (const sink of s.sinks) sink.membershipChanged?.();
      }
    },
    allowed: (id) => (docs.get(id)?.records ?? []).filter((rec) => rec.applied).map((rec) => rec.change.payload),
    accepted(conversation, user) {
      const out = new Map<string, Set<number>>();
      for (const s of docs.values()) {
        if (s.ref.conversation !== conversation) continue;
        for (const { change, applied } of s.records) {
          if (!applied || change.author !== user) continue;
          const key = `${s.id}|${change.device}`;
          let set = out.get(key);
          if (set === undefined) out.set(key, (set = new Set()));
          set.add(change.counter);
        }
      }
      return out;
    },
    ids: () => [...docs.keys()].sort(),
    onFollow(listener) {
      followers.add(listener);
      return () => void followers.delete(listener);
    },
    held() {
      let n = 0;
      for (const s of docs.values()) for (const rec of s.records) if (!rec.applied) n++;
      return n;
    },
  };
});
