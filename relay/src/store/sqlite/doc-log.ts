import type Database from 'better-sqlite3';
import type { AppendOutcome, AppendRequest, DocLogStore, LogEntry } from '../ports.js';
import { foldIntoRuns, type DroppedEntry } from '../compacted-runs.js';
import { judgeRange, type StoredRange } from '../range-index.js';
import { createSqliteRunTable } from './run-table.js';
import type { DurableBarrier } from './wal-sync.js';

/**
 * DocLogStore on SQLite: a batch is one transaction; `append` resolves once `durable()` after
 * it did, so one fsync acknowledges all of it and the event loop never waits for the disk.
 * RLY-25: `read` returns only entries whose commit is durable, so nothing is served (nor a seq
 * exposed) that a power loss could take back.
 */
export function createSqliteDocLogStore(db: Database.Database, durable: DurableBarrier): DocLogStore {
  // BATCH-7: the stored range with the greatest first counter ≤ the new range's last (the
  // only one that can overlap it), by the (doc, author, device, counter) index; SNAP-8: the same
  // for the compacted runs.
  const nearestEntry = db.prepare<[string, string, string, number], StoredRange>(
    `SELECT counter AS "from", coalesce(to_counter, counter) AS "to", seq, hash FROM entries
     WHERE doc = ? AND author = ? AND device = ? AND counter <= ? ORDER BY counter DESC LIMIT 1`,
  );
  const runs = createSqliteRunTable(db);
  const insertEntry = db.prepare('INSERT INTO entries (doc, author, device, counter, to_counter, hash, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const droppedStmt = db.prepare<[string, number, number], DroppedEntry>(
    `SELECT author, device, counter AS "from", coalesce(to_counter, counter) AS "to", hash, seq FROM entries WHERE doc = ? AND seq <= ? AND seq != ?`,
  );
  const readStmt = db.prepare<[string, number, number, number], { seq: number; bytes: Buffer }>(
    'SELECT seq, bytes FROM entries WHERE doc = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
  );
  /** Every entry with seq ≤ this is durable: seqs grow with commits, and a sync covers all earlier commits. */
  let durableSeq = (db.prepare('SELECT max(seq) AS s FROM entries').get() as { s: number | null }).s ?? 0;
  const sizeOf = db.prepare<[string, number, number], { n: number; bytes: number }>(
    'SELECT count(*) AS n, total(length(bytes)) AS bytes FROM entries WHERE doc = ? AND seq <= ? AND seq != ?',
  );
  const deleteStmt = db.prepare('DELETE FROM entries WHERE doc = ? AND seq <= ? AND seq != ?');
  let bytesStored = (db.prepare('SELECT total(length(bytes)) AS b FROM entries').get() as { b: number }).b;

  const appendTx = db.transaction((batch: readonly AppendRequest[]): AppendOutcome[] => {
    const out: AppendOutcome[] = [];
    let added = 0;
    for (const r of batch) {
      // ENV-5 / BATCH-7: only overlapping counters decide; a lower range that was never stored
      // (out of order, or refused once) is stored now (review H1).
      const a = nearestEntry.get(r.doc, r.author, r.device, r.to);
      const b = runs.nearest(r.doc, r.author, r.device, r.to);
      const nearest = a === undefined ? b : b === undefined || a.from > b.from ? a : b;
      const verdict = judgeRange(nearest, r.counter, r.to, r.hash);
      if (verdict.status !== 'fresh') {
        out.push(verdict);
        continue;
      }
      const info = insertEntry.run(r.doc, r.author, r.device, r.counter, r.to === r.counter ? null : r.to, r.hash, r.bytes);
      added += r.bytes.length;
      out.push({ status: 'stored', seq: Number(info.lastInsertRowid) });
    }
    return Object.assign(out, { added });
  });

  return {
    async append(batch) {
      const out = appendTx(batch) as AppendOutcome[] & { added: number };
      bytesStored += out.added;
      let committed = 0;
      for (const o of out) if (o.status === 'stored' && o.seq > committed) committed = o.seq;
      await durable();
      if (committed > durableSeq) durableSeq = committed;
      return [...out];
    },
    read(doc, after, limit): Promise<LogEntry[]> {
      return Promise.resolve(readStmt.all(doc, after, durableSeq, limit).map((r) => ({ seq: r.seq, bytes: new Uint8Array(r.bytes) })));
    },
    async compact(doc, keepSeq, through) {
      const tx = db.transaction(() => {
        const s = sizeOf.get(doc, through, keepSeq)!;
        // SNAP-7: the dropped entries become runs of their streams, in the same transaction.
        runs.write(doc, foldIntoRuns(droppedStmt.all(doc, through, keepSeq), runs.ofDoc(doc)));
        deleteStmt.run(doc, through, keepSeq);
        return s;
      });
      const s = tx();
      bytesStored -= s.bytes;
      await durable();
      return s.n;
    },
    storedBytes: () => Promise.resolve(bytesStored),
    compactedBytes: () => Promise.resolve(runs.bytes()),
    maxSeq: () => Promise.resolve(durableSeq),
  };
}
