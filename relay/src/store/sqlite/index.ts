import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RelayStore } from '../ports.js';
import { createSqliteAccountStore } from './accounts.js';
import { createFileBlobStore } from './blob-files.js';
import { createSqliteDocLogStore } from './doc-log.js';
import { migrateCompactedRows } from './migrate-compacted.js';
import { SQLITE_ADDED_COLUMNS, SQLITE_SCHEMA } from './schema.js';
import { createWalSync, type DurableBarrier } from './wal-sync.js';

export interface SqliteStoreOptions {
  /** Directory for `relay.db` (+ WAL) and `blobs/`. */
  readonly dataDir: string;
  /**
   * `FULL` (default): every write resolves only after the WAL is fsynced, so an acknowledged
   * write survives a killed process AND power loss (given a disk that honours fsync). The fsync
   * runs off the event loop (wal-sync.ts); SQLite itself runs `synchronous=NORMAL`.
   * `NORMAL`: no fsync before resolving: survives a killed process, but a power loss or OS crash
   * can take back the last acknowledged writes. docs/adr/0018-relay-write-path.md.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

/** The embedded default store: SQLite in WAL mode plus blob files, under `dataDir`. */
export function createSqliteRelayStore(options: SqliteStoreOptions): RelayStore {
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, 'relay.db');
  const db = new Database(file);
  const synchronous = options.synchronous ?? 'FULL';
  db.pragma('journal_mode = WAL');
  // Commits write the WAL without waiting for the disk; FULL's fsync is `wal.sync()`, awaited
  // by every write before it resolves, off the event loop.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SQLITE_SCHEMA);
  for (const c of SQLITE_ADDED_COLUMNS) {
    const cols = db.prepare(`PRAGMA table_info(${c.table})`).all() as { name: string }[];
    if (!cols.some((x) => x.name === c.column)) db.exec(c.ddl);
  }
  migrateCompactedRows(db);
  const wal = synchronous === 'FULL' ? createWalSync(`${file}-wal`) : undefined;
  const durable: DurableBarrier = wal === undefined ? () => Promise.resolve() : () => wal.sync();
  return {
    docs: createSqliteDocLogStore(db, durable),
    blobs: createFileBlobStore(db, join(options.dataDir, 'blobs'), durable),
    accounts: createSqliteAccountStore(db, durable),
    durability: `sqlite-wal-${synchronous}`,
    fsyncs: () => wal?.syncs ?? 0,
    close() {
      if (db.open) {
        db.pragma('wal_checkpoint(TRUNCATE)');
        wal?.close();
        db.close();
      }
      return Promise.resolve();
    },
  };
}
