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
}

export type RangeVerdict =
  | { readonly status: 'fresh' }
  | { readonly status: 'duplicate'; readonly seq: number }
  | { readonly status: 'equivocation' };

/**
 * The verdict for `from..to` with `hash` given the stored range with the greatest first counter
 * ≤ `to` (the only one that can overlap, stored ranges being disjoint): none or ending before
 * `from` → fresh; the same range and hash → duplicate; any other overlap → equivocation.
 */
export function judgeRange(nearest: StoredRange | undefined, from: number, to: number, hash: string): RangeVerdict {
  if (nearest === undefined || nearest.to < from) return { status: 'fresh' };
  if (nearest.from === from && nearest.to === to && nearest.hash === hash) return { status: 'duplicate', seq: nearest.seq };
  return { status: 'equivocation' };
}

export interface RangeIndex {
  /** The stored range with the greatest first counter ≤ `to`. */
  nearest(to: number): StoredRange | undefined;
  insert(range: StoredRange): void;
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
      ranges.splice(upper(range.from), 0, range);
    },
  };
}
