// SNAP-7 bookkeeping: what the relay keeps of 10,000 dropped envelopes (10 feed chunks of 1,000,
// one device each, as in bench/src/compaction.ts) — one `compacted` row per envelope (before
// SNAP-7) against compacted runs — measured as SQLite file bytes after VACUUM.
//   node --conditions=@kith/source --import tsx relay/bench/compaction-bytes.ts
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteRelayStore } from '../src/store/sqlite/index.js';

const chunks = 10;
const perChunk = 1000;
const hex = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').repeat(2).slice(0, n);
const fileBytes = (file: string): number => {
  const db = new Database(file);
  db.exec('VACUUM');
  const n = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  db.close();
  return n;
};

const dir = mkdtempSync(join(tmpdir(), 'kith-compaction-bytes-'));
try {
  const file = join(dir, 'relay.db');
  // An empty store: the baseline both figures subtract.
  await createSqliteRelayStore({ dataDir: dir, synchronous: 'NORMAL' }).close();
  const empty = fileBytes(file);
  const db = new Database(file);
  db.exec(`CREATE TABLE compacted (
    doc TEXT NOT NULL, author TEXT NOT NULL, device TEXT NOT NULL, counter INTEGER NOT NULL,
    hash TEXT NOT NULL, seq INTEGER NOT NULL, to_counter INTEGER, PRIMARY KEY (doc, author, device, counter)) WITHOUT ROWID`);
  const put = db.prepare('INSERT INTO compacted VALUES (?, ?, ?, ?, ?, ?, NULL)');
  const author = hex('author', 64);
  const device = hex('device', 32);
  let seq = 0;
  db.transaction(() => {
    for (let c = 0; c < chunks; c++) {
      const doc = `feed:0190a1b2-0000-7000-8000-00000000c0a1:0190a1b2-0000-7000-8000-00000000a11c:${c}`;
      for (let i = 1; i <= perChunk; i++) put.run(doc, author, device, c * perChunk + i, hex(`${c}/${i}`, 64), ++seq);
    }
  })();
  db.close();
  const before = fileBytes(file) - empty;
  // Opening the store folds the rows into runs (SNAP-9) and drops the old table.
  const store = createSqliteRelayStore({ dataDir: dir, synchronous: 'NORMAL' });
  const reported = await store.docs.compactedBytes();
  await store.close();
  const after = fileBytes(file) - empty;
  process.stdout.write(
    `${chunks * perChunk} dropped envelopes: one row each ${before} B (${(before / (chunks * perChunk)).toFixed(1)} B/envelope); ` +
      `compacted runs ${after} B on disk (${(after / (chunks * perChunk)).toFixed(1)} B/envelope), ${reported} B by kith_relay_bytes_stored{kind="compacted"}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
