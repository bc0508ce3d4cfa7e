import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
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
