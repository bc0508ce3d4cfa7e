import type { DeviceId } from '../ids.js';
import { formatUuid, isUuid, uuidToBytes } from '../ids.js';
import { ByteReader, ByteWriter } from './bytes.js';

/**
 * The plaintext body of a `snapshot` envelope (docs/PROTOCOL.md SNAP-2, ADR 0022):
 * `"KSN1" ‖ u16 n ‖ n × (device 16 ‖ u64 from ‖ u64 to) ‖ state`. The ranges are the counters
 * of the author's devices whose changes the state includes; the state is the CRDT's `save()`.
 */
/** One counter range of one device of the author that an author snapshot covers (SNAP-2). */
export interface CoveredRange {
  readonly device: DeviceId;
  readonly from: number;
  readonly to: number;
}

/** The plaintext of a `snapshot` envelope (SNAP-2): what it covers, then the CRDT state. */
export interface SnapshotBody {
  readonly covers: readonly CoveredRange[];
  readonly state: Uint8Array;
}

const SNAPSHOT_MAGIC = [0x4b, 0x53, 0x4e, 0x31]; // "KSN1"
/** At most this many ranges in one snapshot (a chunk has a few writing devices). */
export const MAX_COVERED_RANGES = 1024;

export function encodeSnapshotBody(body: SnapshotBody): Uint8Array {
  const w = new ByteWriter().raw(Uint8Array.from(SNAPSHOT_MAGIC)).u16(body.covers.length);
  for (const r of body.covers) w.raw(uuidToBytes(r.device)).u64(r.from).u64(r.to);
  return w.raw(body.state).finish();
}

/**
 * Parses a snapshot body (SNAP-2): magic, ranges sorted by device then counter, `1 ≤ from ≤ to`,
 * no overlap, at least one range, a non-empty state. Anything else is null (refused, SNAP-3).
 */
export function decodeSnapshotBody(data: Uint8Array): SnapshotBody | null {
  try {
    const r = new ByteReader(data);
    const magic = r.raw(4, 'magic');
    if (!SNAPSHOT_MAGIC.every((b, i) => magic[i] === b)) return null;
    const n = r.u16('ranges');
    if (n === 0 || n > MAX_COVERED_RANGES) return null;
    const covers: CoveredRange[] = [];
    for (let i = 0; i < n; i++) {
      const device = formatUuid(r.raw(16, 'device'));
      if (!isUuid(device)) return null;
      const from = r.u64('from');
      const to = r.u64('to');
      if (from < 1 || to < from) return null;
      const prev = covers.at(-1);
      if (prev !== undefined && (device < prev.device || (device === prev.device && from <= prev.to))) return null;
      covers.push({ device: device as DeviceId, from, to });
    }
    if (r.remaining === 0) return null;
    return { covers, state: r.raw(r.remaining, 'state') };
  } catch {
    return null;
  }
}

/** Whether `change` (one counter of the author) lies inside the ranges. */
export function covers(ranges: readonly CoveredRange[], device: string, counter: number): boolean {
  return ranges.some((r) => r.device === device && r.from <= counter && counter <= r.to);
}
