import type { AppendOutcome, AppendRequest, DocLogStore, LogEntry } from '../ports.js';
import { createRangeIndex, judgeRange, type RangeIndex } from '../range-index.js';

interface MemEntry {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** DocLogStore in memory: tests and offline demos. Same contract as SQLite. */
export function createMemoryDocLogStore(): DocLogStore {
  let lastSeq = 0;
  let bytesStored = 0;
  const logs = new Map<string, MemEntry[]>();
  /**
   * Per stream, every range ever stored, compacted ones included (their seq and hash stay: ENV-5
   * and BATCH-7 keep deciding duplicates and equivocation after compaction).
   */
  const streams = new Map<string, RangeIndex>();

  return {
    append(batch: readonly AppendRequest[]): Promise<AppendOutcome[]> {
      const out: AppendOutcome[] = [];
      for (const r of batch) {
        const key = `${r.doc}|${r.author}|${r.device}`;
        let index = streams.get(key);
        if (index === undefined) streams.set(key, (index = createRangeIndex()));
        // ENV-5 / BATCH-7: only overlapping counters decide; an unstored lower range is stored (review H1).
        const verdict = judgeRange(index.nearest(r.to), r.counter, r.to, r.hash);
        if (verdict.status !== 'fresh') {
          out.push(verdict);
          continue;
        }
        const entry: MemEntry = { seq: ++lastSeq, bytes: r.bytes.slice() };
        index.insert({ from: r.counter, to: r.to, seq: entry.seq, hash: r.hash });
        let log = logs.get(r.doc);
        if (log === undefined) logs.set(r.doc, (log = []));
        log.push(entry);
        bytesStored += entry.bytes.length;
        out.push({ status: 'stored', seq: entry.seq });
      }
      return Promise.resolve(out);
    },
    read(doc: string, after: number, limit: number): Promise<LogEntry[]> {
      const log = logs.get(doc) ?? [];
      let lo = 0;
      let hi = log.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (log[mid]!.seq <= after) lo = mid + 1;
        else hi = mid;
      }
      return Promise.resolve(log.slice(lo, lo + limit).map((e) => ({ seq: e.seq, bytes: e.bytes.slice() })));
    },
    compact(doc: string, keepSeq: number, through: number): Promise<number> {
      const log = logs.get(doc) ?? [];
      const keep: MemEntry[] = [];
      let dropped = 0;
      for (const e of log) {
        if (e.seq <= through && e.seq !== keepSeq) {
          bytesStored -= e.bytes.length;
          dropped++;
        } else keep.push(e);
      }
      logs.set(doc, keep);
      return Promise.resolve(dropped);
    },
    storedBytes: () => Promise.resolve(bytesStored),
    maxSeq: () => Promise.resolve(lastSeq),
  };
}
