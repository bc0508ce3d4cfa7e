import type { PGlite } from '@electric-sql/pglite';
import { expect } from 'vitest';
import { loadSchemaFile } from './load-schema.js';
import { createPglite } from './pglite-cache.js';
import { insertSampleData } from './sample-data.js';
import type { Sample } from './sample-data.js';

export type Rows = Array<Record<string, unknown>>;

export interface SchemaDb {
  readonly db: PGlite;
  readonly sample: Sample;
  readonly queryNames: readonly string[];
  /** Run a named query of docs/schema.sql. */
  run(name: string, params?: unknown[]): Promise<Rows>;
  /** Run `fn` in a transaction that is rolled back afterwards (sample data stays pristine). */
  scratch(fn: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** A fresh in-process PostgreSQL with docs/schema.sql loaded and the sample data inserted. */
export async function createSchemaDb(): Promise<SchemaDb> {
  const schema = loadSchemaFile();
  const db = await createPglite();
  await db.exec(schema.ddl);
  const sample = await insertSampleData(db);
  return {
    db,
    sample,
    queryNames: [...schema.queries.keys()],
    async run(name, params = []) {
      const sql = schema.queries.get(name);
      if (sql === undefined) throw new Error(`no query named ${name} in docs/schema.sql`);
      return (await db.query<Record<string, unknown>>(sql, params)).rows;
    },
    async scratch(fn) {
      await db.exec('BEGIN');
      try {
        await fn();
      } finally {
        await db.exec('ROLLBACK');
      }
    },
    close: () => db.close(),
  };
}

export interface Rejection {
  /** SQLSTATE, e.g. 23505 unique_violation, 23514 check_violation, 23503 foreign key, 22P02 bad enum. */
  readonly code: string;
  /** The constraint or unique index that must be the one rejecting. */
  readonly constraint?: string;
  /** The Kith error code a trigger puts first in its message. */
  readonly kith?: string;
}

/** Expects `work` to fail with exactly this rejection (and, outside a transaction, to write nothing). */
export async function expectRejected(work: Promise<unknown>, want: Rejection): Promise<void> {
  const error: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected rejection ${JSON.stringify(want)}`).toBeInstanceOf(Error);
  const e = error as Error & { code?: string; constraint?: string };
  expect(e.code).toBe(want.code);
  if (want.constraint !== undefined) expect(e.constraint).toBe(want.constraint);
  if (want.kith !== undefined) expect(e.message.split(':')[0]).toBe(want.kith);
}
