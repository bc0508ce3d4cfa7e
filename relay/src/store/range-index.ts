import { runMayHold } from './compacted-runs.js';

/**
 * BATCH-7: the counter ranges stored for one (doc, author, device) stream, disjoint and sorted
 * by their first counter, so "which stored range overlaps `from..to`" is one binary search.
 * The memory store keeps one per stream; SQLite and PostgreSQL answer the same question with
 * an index on (doc, author, device, counter) (`counter ≤ to ORDER BY counter DESC LIMIT 1`).
 */
export interface StoredRange {
  readonly from: number;
  readonly to: number;
  readonly seq: number;
  readonly hash: string;
  /**
   * SNAP-7: set for a compacted run (`from..to` many dropped entries; `seq` its highest, `hash`
   * unused): its digest of the dropped entries' identities (compacted-runs.ts).
   */
  readonly filter?: Uint8Array;
}

export type RangeVerdict =
  | { readonly status: 'fresh' }
  | { readonly status: 'duplicate'; readonly seq: number }
  | { readonly status: 'equivocation' };

/**
 * The verdict for `from..to` with `hash` given the stored range with the greatest first counter
 * ≤ `to` (the only one that can overlap, stored ranges being disjoint): none or ending before
 * `from` → fresh; the same range and hash → duplicate; any other overlap → equivocation.
 * SNAP-8: against a compacted run, a range inside it that its digest may hold → duplicate (with
 * the run's highest seq); any other overlap → equivocation.
 */
export function judgeRange(nearest: StoredRange | undefined, from: number, to: number, hash: string): RangeVerdict {
  if (nearest === undefined || nearest.to < from) return { status: 'fresh' };
  if (nearest.filter !== undefined) {
    const inside = nearest.from <= from && to <= nearest.to && runMayHold(nearest.filter, from, to, hash);
    return inside ? { status: 'duplicate', seq: nearest.seq } : { status: 'equivocation' };
  }
  if (nearest.from === from && nearest.to === to && nearest.hash === hash) return { status: 'duplicate', seq: nearest.seq };
  return { status: 'equivocation' };
}

export interface RangeIndex {
  /** The stored range with the greatest first counter ≤ `to`. */
  nearest(to: number): StoredRange | undefined;
  /** Inserts `range`, replacing one with the same first counter. */
  insert(range: StoredRange): void;
  /** Removes the range starting at `from`, if any. */
  remove(from: number): void;
}

export function createRangeIndex(): RangeIndex {
  const ranges: StoredRange[] = [];
  /** Index of the first range whose `from` > `counter`. */
  const upper = (counter: number): number => {
    let lo = 0;
    let hi = ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid]!.from <= counter) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    nearest: (to) => ranges[upper(to) - 1],
    insert(range) {
      const at = upper(range.from);
      const same = ranges[at - 1]?.from === range.from;
      ranges.splice(same ? at - 1 : at, same ? 1 : 0, range);
    },
    remove(from) {
      const at = upper(from) - 1;
      if (ranges[at]?.from === from) ranges.splice(at, 1);
    },
  };
}
