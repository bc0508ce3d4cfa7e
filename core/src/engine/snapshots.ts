import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import type { DeviceId } from '../ids.js';
import type { SeenCounters } from './seen-counters.js';
import type { CoveredRange } from '../protocol/snapshot-body.js';
import type { DocChange } from '../protocol/doc-change.js';
import { covers, decodeSnapshotBody, encodeSnapshotBody } from '../protocol/snapshot-body.js';
import { ByteReader, ByteWriter } from '../protocol/bytes.js';

/**
 * Feed chunk snapshots: every SNAPSHOT_EVERY accepted changes, a chunk whose changes are all
 * applied stores `u32 covered ‖ crdt.save()` as its snapshot, keeping the change records (a
 * later removal may need to re-filter them). Loading then restores the CRDT from the snapshot
 * and replays only the records after `covered`, so a cold start costs one chunk load, not
 * thousands of change applications. A chunk is also snapshotted when my write fills it (it will
 * rarely change again).
 */
export const SNAPSHOT_EVERY = 256;

export function maybeSnapshot(core: Core, doc: LoadedDoc, force = false): void {
  if (core.storage === undefined || core.restoring || doc.ref.kind !== 'feed') return;
  if (doc.records.length === doc.snapshotCovered) return;
  if (!force && doc.records.length - doc.snapshotCovered < SNAPSHOT_EVERY) return;
  if (doc.records.some((r) => !r.applied)) return;
  doc.snapshotCovered = doc.records.length;
  const data = new ByteWriter().u32(doc.records.length).raw(doc.crdt.save()).finish();
  core.persister.snapshot(doc.id, data);
}

export function decodeSnapshot(data: Uint8Array): { covered: number; saved: Uint8Array } | null {
  try {
    const r = new ByteReader(data);
    const covered = r.u32('covered');
    return { covered, saved: r.raw(r.remaining, 'saved') };
  } catch {
    return null;
  }
}

/** The author's ranges a document has seen (every device of `author`, sorted): what a snapshot made now covers. */
export function coveredRanges(seen: SeenCounters, author: string): CoveredRange[] {
  return seen
    .contiguous(author)
    .filter((s) => s.contiguous > 0)
    .map((s) => ({ device: s.device as DeviceId, from: 1, to: s.contiguous }));
}

/** The bytes a record gives the CRDT: a snapshot's state, an update's payload (null: undecodable). */
export function crdtBytes(change: DocChange): Uint8Array | null {
  if (change.kind !== 'snapshot') return change.payload;
  return decodeSnapshotBody(change.payload)?.state ?? null;
}

/** The ranges of a snapshot record (empty for any other change or an undecodable body). */
export function snapshotCovers(change: DocChange): readonly CoveredRange[] {
  return change.kind === 'snapshot' ? (decodeSnapshotBody(change.payload)?.covers ?? []) : [];
}

/** Marks a change as seen; a snapshot marks every counter it covers too (SNAP-3: later copies are duplicates, no gap). */
export function markSeen(seen: SeenCounters, change: DocChange, ranges: readonly CoveredRange[] = snapshotCovers(change)): void {
  for (const r of ranges) seen.addRange(change.author, r.device, r.from, r.to);
  seen.add(change.author, change.device, change.counter);
}

/**
 * SNAP-2 checks beyond the grammar: the snapshot's own device range ends below its counter, and
 * ranges above the stream's watermark are bounded (a counter gap, ENV-5's bound).
 */
export function checkCovers(change: DocChange, ranges: readonly CoveredRange[]): boolean {
  let total = 0;
  for (const r of ranges) total += r.to - r.from + 1;
  return total <= MAX_COVERED && ranges.every((r) => (r.device !== change.device || r.to < change.counter) && r.to - r.from < MAX_RANGE);
}
/** All ranges of one snapshot together cover at most this many counters. */
const MAX_COVERED = 1_000_000;
/** A range covers at most this many counters (the counter-gap bound of the open path). */
const MAX_RANGE = 100_000;

/** SNAP-6: whether every record of the chunk other than `snap` is covered by it (then the snapshot replaces them). */
export function coversAllRecords(doc: LoadedDoc, snap: DocChange, ranges: readonly CoveredRange[]): boolean {
  return doc.records.every((r) => r.change === snap || (r.change.author === snap.author && covers(ranges, r.change.device, r.change.counter)));
}

/**
 * ADR 0022: an author snapshot of my closed feed chunk — the next counter of my stream, covering
 * what the chunk has seen of my devices, the CRDT state. Null when the chunk is not eligible:
 * not mine, not closed (no later chunk of mine), a record not applied, a gap in my streams, a change of it still unacknowledged, or
 * already compacted (its only record a snapshot).
 */
export function makeAuthorSnapshot(core: Core, doc: LoadedDoc): DocChange | null {
  if (doc.ref.kind !== 'feed' || doc.ref.author !== core.me) return null;
  const chunk = doc.ref.chunk;
  if (!(core.docs.feedChunks(doc.ref.conversation).get(core.me) ?? []).some((n) => n > chunk)) return null; // still open
  if (doc.records.length === 0 || doc.records.some((r) => !r.applied)) return null;
  if (doc.records.length === 1 && doc.records[0]!.change.kind === 'snapshot') return null;
  if (core.persister.outbox().some((c) => c.doc === doc.id)) return null;
  const ranges = coveredRanges(doc.seen, core.me);
  if (ranges.length === 0) return null;
  const change: DocChange = {
    doc: doc.id,
    kind: 'snapshot',
    author: core.me,
    device: core.device,
    counter: doc.seen.max(core.me, core.device) + 1,
    payload: encodeSnapshotBody({ covers: ranges, state: doc.crdt.save() }),
  };
  if (!coversAllRecords(doc, change, ranges)) return null; // a record above a gap of my streams
  return change;
}
