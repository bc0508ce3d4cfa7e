import type { AppendOutcome, AppendRequest, DocLogStore, LogEntry } from '../ports.js';
import { foldIntoRuns, runBytes, type CompactedRun } from '../compacted-runs.js';
import { createRangeIndex, judgeRange, type RangeIndex } from '../range-index.js';

interface MemEntry {
  readonly seq: number;
  readonly bytes: Uint8Array;
  readonly author: string;
  readonly device: string;
  readonly from: number;
  readonly to: number;
  readonly hash: string;
}

const streamOf = (doc: string, e: { author: string; device: string }): string => `${doc}|${e.author}|${e.device}`;

/** DocLogStore in memory: tests and offline demos. Same contract as SQLite. */
export function createMemoryDocLogStore(): DocLogStore {
  let lastSeq = 0;
  let bytesStored = 0;
  const logs = new Map<string, MemEntry[]>();
  /**
   * Per stream, the ranges stored and the compacted runs (SNAP-7) in one index: ENV-5, BATCH-7
   * and SNAP-8 decide against both.
   */
  const streams = new Map<string, RangeIndex>();
  /** SNAP-7: the compacted runs of each document, by stream and first counter. */
  const runs = new Map<string, Map<string, CompactedRun>>();

  return {
    append(batch: readonly AppendRequest[]): Promise<AppendOutcome[]> {
      const out: AppendOutcome[] = [];
      for (const r of batch) {
        const key = streamOf(r.doc, r);
        let index = streams.get(key);
        if (index === undefined) streams.set(key, (index = createRangeIndex()));
        // ENV-5 / BATCH-7: only overlapping counters decide; an unstored lower range is stored (review H1).
        const verdict = judgeRange(index.nearest(r.to), r.counter, r.to, r.hash);
        if (verdict.status !== 'fresh') {
          out.push(verdict);
          continue;
        }
        const entry: MemEntry = { seq: ++lastSeq, bytes: r.bytes.slice(), author: r.author, device: r.device, from: r.counter, to: r.to, hash: r.hash };
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
      const dropped: MemEntry[] = [];
      for (const e of log) {
        if (e.seq <= through && e.seq !== keepSeq) {
          bytesStored -= e.bytes.length;
          dropped.push(e);
          streams.get(streamOf(doc, e))?.remove(e.from);
        } else keep.push(e);
      }
      logs.set(doc, keep);
      let mine = runs.get(doc);
      if (mine === undefined) runs.set(doc, (mine = new Map<string, CompactedRun>()));
      for (const run of foldIntoRuns(dropped, [...mine.values()])) {
        mine.set(`${run.author}|${run.device}|${run.from}`, run);
        streams.get(streamOf(doc, run))!.insert({ from: run.from, to: run.to, seq: run.lastSeq, hash: '', filter: run.filter });
      }
      return Promise.resolve(dropped.length);
    },
    compactedBytes() {
      let n = 0;
      for (const m of runs.values()) for (const r of m.values()) n += runBytes(r);
      return Promise.resolve(n);
    },
    storedBytes: () => Promise.resolve(bytesStored),
    maxSeq: () => Promise.resolve(lastSeq),
  };
}
