/**
 * SQLite schema of the relay. Applied idempotently at open; a database from before SNAP-7 has its
 * per-envelope `compacted` rows folded into `compacted_runs` (migrate-compacted.ts).
 */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  doc TEXT NOT NULL,
  author TEXT NOT NULL,
  device TEXT NOT NULL,
  counter INTEGER NOT NULL,
  hash TEXT NOT NULL,
  bytes BLOB NOT NULL,
  to_counter INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS entries_key ON entries (doc, author, device, counter);
CREATE INDEX IF NOT EXISTS entries_doc_seq ON entries (doc, seq);
CREATE TABLE IF NOT EXISTS heads (
  doc TEXT NOT NULL, author TEXT NOT NULL, device TEXT NOT NULL, counter INTEGER NOT NULL,
  PRIMARY KEY (doc, author, device)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS compacted_runs (
  doc TEXT NOT NULL, author TEXT NOT NULL, device TEXT NOT NULL, from_counter INTEGER NOT NULL,
  to_counter INTEGER NOT NULL, entries INTEGER NOT NULL, last_seq INTEGER NOT NULL, filter BLOB NOT NULL,
  PRIMARY KEY (doc, author, device, from_counter)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts (
  user_id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  username_key TEXT NOT NULL UNIQUE,
  sign_key TEXT NOT NULL,
  box_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  identity TEXT
);
CREATE TABLE IF NOT EXISTS backups (user_id TEXT PRIMARY KEY, version INTEGER NOT NULL, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, device TEXT NOT NULL, expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS caps (
  scope TEXT PRIMARY KEY, version INTEGER NOT NULL, read_hash TEXT NOT NULL, write_hash TEXT, controllers TEXT NOT NULL, retired TEXT
);
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, owner TEXT NOT NULL, size INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS blobs_owner ON blobs (owner);
`;

/** Columns added after version 1: applied at open when missing (ALTER TABLE … ADD COLUMN). */
export const SQLITE_ADDED_COLUMNS: readonly { readonly table: string; readonly column: string; readonly ddl: string }[] = [
  { table: 'accounts', column: 'identity', ddl: 'ALTER TABLE accounts ADD COLUMN identity TEXT' },
  { table: 'caps', column: 'retired', ddl: 'ALTER TABLE caps ADD COLUMN retired TEXT' },
  // BATCH-7: a range's last counter (NULL: a range of one, `counter`).
  { table: 'entries', column: 'to_counter', ddl: 'ALTER TABLE entries ADD COLUMN to_counter INTEGER' },
];
