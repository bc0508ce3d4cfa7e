import type { Sql, TransactionSql } from 'postgres';
import { foldIntoRuns, type DroppedEntry } from '../compacted-runs.js';
import { readRunsOfDoc, writeRuns } from './runs.js';

/** One schema change, applied once, in order, inside the start-up transaction (RLY-31). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** A data step in TypeScript, run after `sql` in the same transaction (a fold SQL cannot say). */
  readonly run?: (tx: TransactionSql) => Promise<void>;
}

/**
 * SNAP-7 upgrade: the per-envelope `compacted` rows of every document are folded into runs (in
 * counter order per stream, as a compaction would), then the table goes.
 */
async function foldCompactedRows(tx: TransactionSql): Promise<void> {
  const rows = await tx<{ doc: string; author: string; device: string; from: string; to: string; hash: string; seq: string }[]>`
    SELECT doc, author, device, counter AS "from", coalesce(to_counter, counter) AS "to", hash, seq FROM compacted
    ORDER BY doc, author, device, counter`;
  const byDoc = new Map<string, DroppedEntry[]>();
  for (const r of rows) {
    let list = byDoc.get(r.doc);
    if (list === undefined) byDoc.set(r.doc, (list = []));
    list.push({ author: r.author, device: r.device, from: Number(r.from), to: Number(r.to), hash: r.hash, seq: Number(r.seq) });
  }
  for (const [doc, dropped] of byDoc) await writeRuns(tx, doc, foldIntoRuns(dropped, await readRunsOfDoc(tx, doc)));
  await tx`DROP TABLE compacted`;
}

/**
 * The relay's PostgreSQL schema, version by version. Never edit a released migration: append a
 * new one. `seq` is one relay-wide sequence (RLY-11); `doc_heads` holds one row per document,
 * locked by every append and compaction of that document (RLY-30, ADR 0021).
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE SEQUENCE kith_seq AS bigint;
CREATE TABLE doc_heads (
  doc text PRIMARY KEY,
  last_seq bigint NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0
);
CREATE TABLE entries (
  seq bigint PRIMARY KEY,
  doc text NOT NULL,
  author text NOT NULL,
  device text NOT NULL,
  counter bigint NOT NULL,
  hash text NOT NULL,
  bytes bytea NOT NULL
);
CREATE UNIQUE INDEX entries_key ON entries (doc, author, device, counter);
CREATE UNIQUE INDEX entries_doc_seq ON entries (doc, seq);
CREATE TABLE compacted (
  doc text NOT NULL, author text NOT NULL, device text NOT NULL, counter bigint NOT NULL,
  hash text NOT NULL, seq bigint NOT NULL,
  PRIMARY KEY (doc, author, device, counter)
);
CREATE TABLE accounts (
  user_id text PRIMARY KEY,
  username text NOT NULL,
  username_key text NOT NULL UNIQUE,
  sign_key text NOT NULL,
  box_key text NOT NULL,
  created_at bigint NOT NULL,
  identity text
);
CREATE TABLE backups (user_id text PRIMARY KEY, version bigint NOT NULL, bytes bytea NOT NULL);
CREATE TABLE sessions (
  token_hash text PRIMARY KEY, user_id text NOT NULL, device text NOT NULL, expires_at bigint NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE TABLE caps (
  scope text PRIMARY KEY, version bigint NOT NULL, read_hash text NOT NULL, write_hash text,
  controllers text[] NOT NULL
);
CREATE TABLE blob_uploads (
  upload bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE blob_chunks (
  upload bigint NOT NULL REFERENCES blob_uploads ON DELETE CASCADE,
  idx integer NOT NULL,
  bytes bytea NOT NULL,
  PRIMARY KEY (upload, idx)
);
CREATE TABLE blobs (
  id text PRIMARY KEY,
  owner text NOT NULL,
  size bigint NOT NULL,
  upload bigint NOT NULL REFERENCES blob_uploads,
  chunk_bytes integer NOT NULL
);
CREATE INDEX blobs_owner ON blobs (owner);
`,
  },
  {
    version: 2,
    name: 'blob quota reservations shared by instances',
    sql: `
CREATE TABLE blob_reservations (
  id bigserial PRIMARY KEY,
  owner text NOT NULL,
  bytes bigint NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX blob_reservations_owner ON blob_reservations (owner);
`,
  },
  {
    version: 3,
    name: 'CAP-5 retired read tokens',
    sql: `ALTER TABLE caps ADD COLUMN retired text;`,
  },
  {
    version: 4,
    name: 'SES-1 challenges shared by instances',
    sql: `
CREATE TABLE auth_challenges (
  nonce text PRIMARY KEY,
  user_id text NOT NULL,
  address text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX auth_challenges_address ON auth_challenges (address);
CREATE INDEX auth_challenges_expiry ON auth_challenges (expires_at);
`,
  },
  {
    version: 5,
    name: 'BATCH-7 counter ranges',
    sql: `ALTER TABLE entries ADD COLUMN to_counter bigint;
ALTER TABLE compacted ADD COLUMN to_counter bigint;`,
  },
  {
    version: 6,
    name: 'SNAP-7 compacted runs instead of one row per dropped envelope',
    sql: `
CREATE TABLE compacted_runs (
  doc text NOT NULL, author text NOT NULL, device text NOT NULL, from_counter bigint NOT NULL,
  to_counter bigint NOT NULL, entries integer NOT NULL, last_seq bigint NOT NULL, filter bytea NOT NULL,
  PRIMARY KEY (doc, author, device, from_counter)
);`,
    run: foldCompactedRows,
  },
];

/** Key of the advisory lock that serializes migrations between instances starting together. */
const MIGRATION_LOCK = 0x6b697468;

/**
 * Applies every migration above the recorded version, in one transaction under an advisory
 * lock, so instances starting at once apply each exactly once (RLY-31). Refuses a database whose
 * version is newer than this relay knows (an older relay must not write a newer schema).
 * `schema` (an identifier the caller validated) is created first when given. Returns the schema
 * version now in force.
 */
export async function migrate(sql: Sql, migrations: readonly Migration[] = POSTGRES_MIGRATIONS, schema?: string): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}::int8)`;
    // Under the lock: CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent creator.
    if (schema !== undefined) await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx`CREATE TABLE IF NOT EXISTS kith_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
    const [row] = await tx<{ v: number | null }[]>`SELECT max(version) AS v FROM kith_migrations`;
    const current = row?.v ?? 0;
    const known = migrations.at(-1)?.version ?? 0;
    if (current > known) throw new Error(`database schema version ${current} is newer than this relay's ${known}`);
    for (const m of migrations) {
      if (m.version <= current) continue;
      await tx.unsafe(m.sql);
      if (m.run !== undefined) await m.run(tx);
      await tx`INSERT INTO kith_migrations (version, name) VALUES (${m.version}, ${m.name})`;
    }
    return Math.max(current, known);
  });
}
