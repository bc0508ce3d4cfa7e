import type Database from 'better-sqlite3';
import type { AppendOutcome, AppendRequest, DocLogStore, LogEntry } from '../ports.js';

interface EntryRow {
  seq: number;
  hash: string;
}

/** DocLogStore on SQLite: a batch is one transaction, so one fsync acknowledges all of it. */
export function createSqliteDocLogStore(db: Database.Database): DocLogStore {
  const findEntry = db.prepare<[string, string, string, number], EntryRow>(
    'SELECT seq, hash FROM entries WHERE doc = ? AND author = ? AND device = ? AND counter = ?',
  );
  const findCompacted = db.prepare<[string, string, string, number], EntryRow>(
    'SELECT seq, hash FROM compacted WHERE doc = ? AND author = ? AND device = ? AND counter = ?',
  );
  const insertEntry = db.prepare('INSERT INTO entries (doc, author, device, counter, hash, bytes) VALUES (?, ?, ?, ?, ?, ?)');
  const remember = db.prepare(
    'INSERT OR IGNORE INTO compacted (doc, author, device, counter, hash, seq) SELECT doc, author, device, counter, hash, seq FROM entries WHERE doc = ? AND seq <= ? AND seq != ?',
  );
  const readStmt = db.prepare<[string, number, number], { seq: number; bytes: Buffer }>(
    'SELECT seq, bytes FROM entries WHERE doc = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const sizeOf = db.prepare<[string, number, number], { n: number; bytes: number }>(
    'SELECT count(*) AS n, total(length(bytes)) AS bytes FROM entries WHERE doc = ? AND seq <= ? AND seq != ?',
  );
  const deleteStmt = db.prepare('DELETE FROM entries WHERE doc = ? AND seq <= ? AND seq != ?');
  let bytesStored = (db.prepare('SELECT total(length(bytes)) AS b FROM entries').get() as { b: number }).b;

  const appendTx = db.transaction((batch: readonly AppendRequest[]): AppendOutcome[] => {
    const out: AppendOutcome[] = [];
    let added = 0;
    for (const r of batch) {
      // ENV-5: only the exact (doc, author, device, counter) decides; a lower counter that was
      // never stored (out of order, or refused once) is stored now (review H1).
      const existing = findEntry.get(r.doc, r.author, r.device, r.counter) ?? findCompacted.get(r.doc, r.author, r.device, r.counter);
      if (existing !== undefined) {
        out.push(existing.hash === r.hash ? { status: 'duplicate', seq: existing.seq } : { status: 'equivocation' });
        continue;
      }
      const info = insertEntry.run(r.doc, r.author, r.device, r.counter, r.hash, r.bytes);
      added += r.bytes.length;
      out.push({ status: 'stored', seq: Number(info.lastInsertRowid) });
    }
    return Object.assign(out, { added });
  });

  return {
    append(batch) {
      const out = appendTx(batch) as AppendOutcome[] & { added: number };
      bytesStored += out.added;
      return Promise.resolve([...out]);
    },
    read(doc, after, limit): Promise<LogEntry[]> {
      return Promise.resolve(readStmt.all(doc, after, limit).map((r) => ({ seq: r.seq, bytes: new Uint8Array(r.bytes) })));
    },
    compact(doc, keepSeq, through) {
      const tx = db.transaction(() => {
        const s = sizeOf.get(doc, through, keepSeq)!;
        remember.run(doc, through, keepSeq);
        deleteStmt.run(doc, through, keepSeq);
        return s;
      });
      const s = tx();
      bytesStored -= s.bytes;
      return Promise.resolve(s.n);
    },
    storedBytes: () => Promise.resolve(bytesStored),
  };
}
