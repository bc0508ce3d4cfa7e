import type { AppendOutcome, AppendRequest, DocLogStore, LogEntry } from '../ports.js';

interface MemEntry {
  readonly seq: number;
  readonly key: string;
  readonly hash: string;
  readonly bytes: Uint8Array;
}

/** DocLogStore in memory: tests and offline demos. Same contract as SQLite. */
export function createMemoryDocLogStore(): DocLogStore {
  let lastSeq = 0;
  let bytesStored = 0;
  const logs = new Map<string, MemEntry[]>();
  const byKey = new Map<string, MemEntry>();
  /** Compacted entries: key → seq and hash (ENV-5 keeps deciding duplicates and equivocation). */
  const compacted = new Map<string, { readonly seq: number; readonly hash: string }>();

  return {
    append(batch: readonly AppendRequest[]): Promise<AppendOutcome[]> {
      const out: AppendOutcome[] = [];
      for (const r of batch) {
        const key = `${r.doc}|${r.author}|${r.device}|${r.counter}`;
        // ENV-5: only the exact counter decides; an unstored lower counter is stored (review H1).
        const existing = byKey.get(key) ?? compacted.get(key);
        if (existing !== undefined) {
          out.push(existing.hash === r.hash ? { status: 'duplicate', seq: existing.seq } : { status: 'equivocation' });
          continue;
        }
        const entry: MemEntry = { seq: ++lastSeq, key, hash: r.hash, bytes: r.bytes.slice() };
        byKey.set(key, entry);
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
          byKey.delete(e.key);
          compacted.set(e.key, { seq: e.seq, hash: e.hash });
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
