import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RelayStore } from '../ports.js';
import { createSqliteAccountStore } from './accounts.js';
import { createFileBlobStore } from './blob-files.js';
import { createSqliteDocLogStore } from './doc-log.js';
import { SQLITE_ADDED_COLUMNS, SQLITE_SCHEMA } from './schema.js';

export interface SqliteStoreOptions {
  /** Directory for `relay.db` (+ WAL) and `blobs/`. */
  readonly dataDir: string;
  /**
   * `FULL` (default): a commit is fsynced before it returns, so an acknowledged write survives
   * a killed process AND power loss. `NORMAL` in WAL mode survives a killed process but can
   * lose the last commits on power loss / OS crash.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

/** The embedded default store: SQLite in WAL mode plus blob files, under `dataDir`. */
export function createSqliteRelayStore(options: SqliteStoreOptions): RelayStore {
  mkdirSync(options.dataDir, { recursive: true });
  const db = new Database(join(options.dataDir, 'relay.db'));
  const synchronous = options.synchronous ?? 'FULL';
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SQLITE_SCHEMA);
  for (const c of SQLITE_ADDED_COLUMNS) {
    const cols = db.prepare(`PRAGMA table_info(${c.table})`).all() as { name: string }[];
    if (!cols.some((x) => x.name === c.column)) db.exec(c.ddl);
  }
  return {
    docs: createSqliteDocLogStore(db),
    blobs: createFileBlobStore(db, join(options.dataDir, 'blobs')),
    accounts: createSqliteAccountStore(db),
    durability: `sqlite-wal-${synchronous}`,
    close() {
      if (db.open) {
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
      return Promise.resolve();
    },
  };
}
