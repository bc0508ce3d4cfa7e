import type Database from 'better-sqlite3';
import type { CompactedRun } from '../compacted-runs.js';
import type { StoredRange } from '../range-index.js';

/** SNAP-7: the `compacted_runs` table, for the doc log and the upgrade of older databases. */
export interface SqliteRunTable {
  /** The run of the stream with the greatest first counter ≤ `to`, as a range to judge against. */
  nearest(doc: string, author: string, device: string, to: number): StoredRange | undefined;
  ofDoc(doc: string): CompactedRun[];
  /** Upserts by (doc, author, device, from). */
  write(doc: string, runs: readonly CompactedRun[]): void;
  /** SNAP-9: bookkeeping bytes of every run. */
  bytes(): number;
}

interface RunRow {
  author: string;
  device: string;
  from: number;
  to: number;
  count: number;
  lastSeq: number;
  filter: Buffer;
}

export function createSqliteRunTable(db: Database.Database): SqliteRunTable {
  const nearest = db.prepare<[string, string, string, number], RunRow>(
    `SELECT from_counter AS "from", to_counter AS "to", last_seq AS lastSeq, filter FROM compacted_runs
     WHERE doc = ? AND author = ? AND device = ? AND from_counter <= ? ORDER BY from_counter DESC LIMIT 1`,
  );
  const ofDoc = db.prepare<[string], RunRow>(
    `SELECT author, device, from_counter AS "from", to_counter AS "to", entries AS count, last_seq AS lastSeq, filter FROM compacted_runs WHERE doc = ?`,
  );
  const upsert = db.prepare(
    `INSERT INTO compacted_runs (doc, author, device, from_counter, to_counter, entries, last_seq, filter) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (doc, author, device, from_counter) DO UPDATE SET to_counter = excluded.to_counter, entries = excluded.entries,
       last_seq = excluded.last_seq, filter = excluded.filter`,
  );
  const bytes = db.prepare(`SELECT total(length(author) + length(device) + 32 + length(filter)) AS b FROM compacted_runs`);
  return {
    nearest(doc, author, device, to) {
      const r = nearest.get(doc, author, device, to);
      return r === undefined ? undefined : { from: r.from, to: r.to, seq: r.lastSeq, hash: '', filter: new Uint8Array(r.filter) };
    },
    ofDoc: (doc) => ofDoc.all(doc).map((r) => ({ ...r, filter: new Uint8Array(r.filter) })),
    write(doc, runs) {
      for (const r of runs) upsert.run(doc, r.author, r.device, r.from, r.to, r.count, r.lastSeq, Buffer.from(r.filter.buffer, r.filter.byteOffset, r.filter.byteLength));
    },
    bytes: () => (bytes.get() as { b: number }).b,
  };
}
