import type { Result } from '../errors.js';
import type { CrdtTouched } from '../ports/crdt.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import { fail, ok } from '../errors.js';
import { decodeSnapshotBody } from '../protocol/snapshot-body.js';
import { hideOnArrival } from './authorise-change.js';
import { feedVerdict } from './feed-policy.js';
import { checkCovers, coversAllRecords, markSeen } from './snapshots.js';

/** What the inbound path lends the snapshot branch (its held count, masking and persistence). */
export interface SnapshotReceiveParts {
  readonly applyHidden: (doc: LoadedDoc, payload: Uint8Array) => Result<CrdtTouched>;
  /** Whether the held-changes bound (inbound.ts MAX_HELD) is reached. */
  readonly heldFull: () => boolean;
  readonly countHeld: (doc: LoadedDoc) => void;
  readonly persist: (change: DocChange) => void;
}

/**
 * SNAP-3: an author snapshot of a feed chunk. Refused and reported (quarantined, SBX-7, through
 * `unreadable`) when its body does not decode, its ranges break SNAP-2, or the CRDT refuses its
 * state; authorized per covered range (feed policy); when the chunk already holds every covered
 * change it is recorded without applying; otherwise its state is applied and every covered
 * counter marked seen. SNAP-6: a snapshot covering every record of the chunk replaces them in
 * storage.
 */
export function receiveSnapshot<R>(
  core: Core,
  parts: SnapshotReceiveParts,
  doc: LoadedDoc,
  change: DocChange,
  unreadable: (r: Result<never>) => R,
): R | Result<'applied' | 'pending'> {
  if (doc.ref.kind !== 'feed') return unreadable(fail('malformed', 'a snapshot of a document that is not compacted'));
  const conversation = doc.ref.conversation;
  const body = decodeSnapshotBody(change.payload);
  if (body === null) return unreadable(fail('malformed', 'undecodable snapshot body'));
  if (!checkCovers(change, body.covers)) return unreadable(fail('malformed', 'snapshot ranges do not match its counter'));
  const held = body.covers.every((r) => {
    for (let c = r.from; c <= r.to; c++) if (!doc.seen.has(change.author, r.device, c)) return false;
    return true;
  });
  const verdict = feedVerdict(core, conversation, doc.id, change);
  if (verdict === 'allow' && !held) {
    const r = hideOnArrival(core, change) ? parts.applyHidden(doc, body.state) : doc.crdt.apply(body.state);
    if (!r.ok) return unreadable(r);
  }
  if (verdict !== 'allow') {
    if (parts.heldFull() && !core.restoring) {
      core.stats.rejected++;
      return fail('rate_limited', 'too many held changes');
    }
    parts.countHeld(doc);
  }
  doc.records.push({ change, applied: verdict === 'allow' });
  markSeen(doc.seen, change, body.covers);
  if (verdict === 'allow' && coversAllRecords(doc, change, body.covers)) {
    doc.records.splice(0, doc.records.length - 1);
    doc.snapshotCovered = 1;
    if (!core.restoring) core.persister.replaceDoc(change);
  } else {
    parts.persist(change);
  }
  return ok(verdict === 'allow' ? 'applied' : 'pending');
}
