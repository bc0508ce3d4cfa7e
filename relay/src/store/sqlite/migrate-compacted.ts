import type Database from 'better-sqlite3';
import { foldIntoRuns, type DroppedEntry } from '../compacted-runs.js';
import { createSqliteRunTable } from './run-table.js';

/**
 * SNAP-7 upgrade: a database written before compacted runs kept one `compacted` row per dropped
 * envelope. At open, in one transaction, those rows are folded into runs (in counter order per
 * stream, exactly as a compaction would have) and the table is dropped. Returns the rows folded.
 */
export function migrateCompactedRows(db: Database.Database): number {
  const old = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'compacted'`).get();
  if (old === undefined) return 0;
  const cols = db.prepare('PRAGMA table_info(compacted)').all() as { name: string }[];
  const to = cols.some((c) => c.name === 'to_counter') ? 'coalesce(to_counter, counter)' : 'counter';
  const runs = createSqliteRunTable(db);
  return db.transaction(() => {
    const rows = db
      .prepare(`SELECT doc, author, device, counter AS "from", ${to} AS "to", hash, seq FROM compacted ORDER BY doc, author, device, counter`)
      .all() as (DroppedEntry & { doc: string })[];
    const byDoc = new Map<string, DroppedEntry[]>();
    for (const r of rows) {
      let list = byDoc.get(r.doc);
      if (list === undefined) byDoc.set(r.doc, (list = []));
      list.push(r);
    }
    for (const [doc, dropped] of byDoc) runs.write(doc, foldIntoRuns(dropped, runs.ofDoc(doc)));
    db.exec('DROP TABLE compacted');
    return rows.length;
  })();
}
