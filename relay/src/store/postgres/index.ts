import postgres from 'postgres';
import type { RelayStore } from '../ports.js';
import { createPostgresAccountStore } from './accounts.js';
import { createPostgresChallengeStore } from './challenges.js';
import { createPostgresBlobStore, pruneAbandonedUploads } from './blobs.js';
import { createPostgresDocLogStore } from './doc-log.js';
import { migrate, POSTGRES_MIGRATIONS } from './migrations.js';
import { createPostgresReservationStore } from './reservations.js';

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:port/db` (KITH_DATABASE_URL). Never logged: it may hold a password. */
  readonly url: string;
  /** A schema of its own (created if missing) instead of the user's default `search_path`. */
  readonly schema?: string;
  /** Pool size of this instance (default 10). */
  readonly maxConnections?: number;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The shared store of a relay cluster: every instance opens it on the same database. Applies
 * pending migrations before it returns (RLY-31). Every connection runs with
 * `synchronous_commit = on`, so a resolved write is in the server's flushed WAL (RLY-10); the
 * `durability` string also reports the server's `fsync` setting, which the relay cannot change.
 */
export async function createPostgresRelayStore(options: PostgresStoreOptions): Promise<RelayStore> {
  if (options.schema !== undefined && !SCHEMA_RE.test(options.schema)) throw new Error('schema: expected a lowercase SQL identifier');
  const connection: Record<string, string> = { synchronous_commit: 'on', application_name: 'kith-relay' };
  if (options.schema !== undefined) connection['search_path'] = options.schema;
  const sql = postgres(options.url, { max: options.maxConnections ?? 10, onnotice: () => undefined, connection });
  try {
    await migrate(sql, POSTGRES_MIGRATIONS, options.schema);
    await pruneAbandonedUploads(sql, 24 * 3600);
    const [s] = await sql<{ fsync: string; sync: string }[]>`SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync`;
    const durability = `postgresql-synchronous_commit=${s?.sync ?? '?'}${s?.fsync === 'on' ? '' : '-fsync=off'}`;
    let closed = false;
    return {
      docs: createPostgresDocLogStore(sql),
      blobs: createPostgresBlobStore(sql),
      accounts: createPostgresAccountStore(sql),
      reservations: createPostgresReservationStore(sql),
      challenges: createPostgresChallengeStore(sql),
      durability,
      async ping() {
        await sql`SELECT 1`;
      },
      async close() {
        if (closed) return;
        closed = true;
        await sql.end({ timeout: 5 });
      },
    };
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw error;
  }
}
