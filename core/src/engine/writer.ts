import type { CrdtMutation } from '../ports/crdt.js';
import type { ConversationId, DocId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { MemberOpBody } from '../model/membership/member-op.js';
import type { Core } from './core.js';
import type { Inbound } from './inbound.js';
import type { Loader } from './loader.js';
import { assert } from '../errors.js';
import { parseDocRef } from '../model/doc-ids.js';
import { makeAuthorSnapshot, markSeen, maybeSnapshot } from './snapshots.js';

/**
 * The outbound path: every local change goes through the CRDT port, gets the next counter of
 * (doc, this device), is committed to storage (document update + outbox item, one atomic
 * commit) and only then is emitted to `onOutgoing` listeners. Callers run inside the serial
 * queue and validate BEFORE writing, so a refused operation changes nothing.
 */
export interface Writer {
  update(doc: DocId, mutations: readonly CrdtMutation[]): Promise<DocChange | null>;
  memberOp(conversation: ConversationId, body: MemberOpBody, at: number): Promise<DocChange>;
  /**
   * ADR 0022: seals my author snapshot of a closed feed chunk of mine (`makeAuthorSnapshot`), which
   * replaces the chunk's records locally and leaves through the outbox like a change. Null when
   * the chunk is not eligible.
   */
  snapshot(doc: DocId): Promise<DocChange | null>;
}

export function createWriter(core: Core, loader: Loader, inbound: Inbound): Writer {
  const emit = (change: DocChange): void => {
    for (const listener of core.outgoing) {
      try {
        listener(change);
      } catch {
        core.stats.listenerErrors++;
      }
    }
  };
  return {
    async update(id, mutations) {
      core.persister.expectHealthy();
      const ref = parseDocRef(id);
      assert(ref !== null && ref.kind !== 'members', 'writer.update needs a CRDT document id');
      const doc = (await loader.ensure(id)) ?? core.docs.create(id, ref);
      const payload = doc.crdt.change(mutations);
      if (payload === null) return null;
      const change: DocChange = {
        doc: id,
        kind: 'update',
        author: core.me,
        device: core.device,
        counter: doc.seen.max(core.me, core.device) + 1,
        payload,
      };
      doc.seen.add(core.me, core.device, change.counter);
      if (ref.kind === 'feed') doc.records.push({ change, applied: true });
      await core.persister.commitLocal(change);
      maybeSnapshot(core, doc);
      emit(change);
      return change;
    },
    async snapshot(id) {
      core.persister.expectHealthy();
      const doc = await loader.ensure(id);
      if (doc === undefined) return null;
      const change = makeAuthorSnapshot(core, doc);
      if (change === null) return null;
      markSeen(doc.seen, change);
      doc.records.splice(0, doc.records.length, { change, applied: true });
      doc.snapshotCovered = 1;
      await core.persister.commitLocalReplacing(change);
      emit(change);
      return change;
    },
    async memberOp(conversation, body, at) {
      core.persister.expectHealthy();
      const slot = inbound.ensureGroup(conversation);
      const { bytes } = slot.log.create(core.me, body, at); // throws a typed error, changing nothing
      const change: DocChange = {
        doc: `members:${conversation}` as DocId,
        kind: 'member',
        author: core.me,
        device: core.device,
        counter: slot.seen.max(core.me, core.device) + 1,
        payload: bytes,
      };
      slot.seen.add(core.me, core.device, change.counter);
      await core.persister.commitLocal(change);
      emit(change);
      return change;
    },
  };
}
