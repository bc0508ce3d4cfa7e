import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRelayStoreConformance } from '../conformance.js';
import type { RelayStore } from '../ports.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../../testing/postgres-server.js';
import { BLOB_CHUNK_BYTES } from './blobs.js';
import { createTestRelay } from '../../testing/fixture.js';
import { createPostgresRelayStore } from './index.js';
import { migrate, POSTGRES_MIGRATIONS } from './migrations.js';

const unavailable = postgresUnavailable();
if (unavailable !== undefined) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)('PostgreSQL store on a private server', () => {
  let server: TestPostgres;
  let fixtures = 0;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server.stop();
  });

  const admin = async <T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> => {
    const sql = postgres(server.url, { max: 1, onnotice: () => undefined });
    try {
      return await fn(sql);
    } finally {
      await sql.end();
    }
  };

  it('RLY-31: migrations are recorded, applied once by instances starting together, and a newer schema is refused', async () => {
    const schema = 'migrations_race';
    const stores = await Promise.all([1, 2, 3].map(() => createPostgresRelayStore({ url: server.url, schema, maxConnections: 2 })));
    for (const s of stores) await s.close();
    const rows = await admin((sql) => sql.unsafe(`SELECT version, name FROM ${schema}.kith_migrations ORDER BY version`));
    expect(rows.map((r) => Number(r['version']))).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    const newer = [...POSTGRES_MIGRATIONS, { version: 99, name: 'from the future', sql: 'CREATE TABLE future (x int)' }];
    await admin(async (sql) => {
      await sql.unsafe(`SET search_path = ${schema}`);
      expect(await migrate(sql, newer)).toBe(99);
      expect(await migrate(sql, newer)).toBe(99);
    });
    await expect(createPostgresRelayStore({ url: server.url, schema })).rejects.toThrow(/newer than this relay/);
    console.log(`[postgres] migrations: 3 instances raced, versions ${rows.map((r) => String(r['version'])).join(',')} applied once; version 99 refused`);
  });

  it('SNAP-9: migration 6 folds the per-envelope compacted rows of a version 5 database into runs', async () => {
    const schema = 'upgrade_runs';
    const h = (x: string): string => x.padEnd(64, '0').slice(0, 64);
    await admin(async (sql) => {
      await sql.unsafe(`CREATE SCHEMA ${schema}`);
      await sql.unsafe(`SET search_path = ${schema}`);
      expect(await migrate(sql, POSTGRES_MIGRATIONS.filter((m) => m.version <= 5))).toBe(5);
      await sql.unsafe(`INSERT INTO compacted (doc, author, device, counter, to_counter, hash, seq) VALUES
        ('x', 'a1', 'd1', 1, NULL, '${h('one')}', 1), ('x', 'a1', 'd1', 2, 4, '${h('two')}', 2), ('x', 'a1', 'd1', 9, NULL, '${h('nine')}', 3)`);
    });
    const store = await createPostgresRelayStore({ url: server.url, schema, maxConnections: 2 });
    try {
      const req = (counter: number, body: string, to = counter) => ({ doc: 'x', author: 'a1', device: 'd1', counter, to, kind: 'update' as const, hash: h(body), bytes: new TextEncoder().encode(body) });
      expect(await store.docs.append([req(1, 'one'), req(2, 'two', 4), req(9, 'nine'), req(3, 'three'), req(6, 'six'), req(9, 'NINE')])).toEqual([
        { status: 'duplicate', seq: 2 },
        { status: 'duplicate', seq: 2 },
        { status: 'duplicate', seq: 3 },
        { status: 'equivocation' },
        { status: 'stored', seq: expect.any(Number) as number },
        { status: 'equivocation' },
      ]);
      expect(await store.docs.compactedBytes()).toBe(2 * (2048 + 4 + 32));
    } finally {
      await store.close();
    }
    const tables = await admin((sql) => sql.unsafe(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name LIKE 'compacted%'`));
    expect(tables.map((r) => String(r['t']))).toEqual(['compacted_runs']);
  });

  it('RLY-32: blobs span chunks, ranges cross chunk edges, refused uploads leave no chunks', async () => {
    const store = await createPostgresRelayStore({ url: server.url, schema: 'blob_chunks', maxConnections: 2 });
    try {
      const size = BLOB_CHUNK_BYTES * 2 + 12_345;
      const bytes = new Uint8Array(size).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
      async function* pieces(b: Uint8Array): AsyncIterable<Uint8Array> {
        for (let off = 0, step = 1; off < b.length; off += step, step = (step * 31 + 7) % 100_003) {
          await Promise.resolve();
          yield b.subarray(off, off + step);
        }
      }
      const ok = () => ({ ok: true }) as const;
      expect(await store.blobs.put(pieces(bytes), { id: 'big', owner: 'u', maxBytes: size, verify: ok })).toEqual({ status: 'stored', size });
      const read = async (start: number, end: number): Promise<Uint8Array> => {
        const parts: Uint8Array[] = [];
        for await (const p of store.blobs.read('big', start, end)) parts.push(p);
        return Buffer.concat(parts);
      };
      for (const [a, b] of [[0, size - 1], [BLOB_CHUNK_BYTES - 3, BLOB_CHUNK_BYTES + 3], [BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES], [size - 10, size - 1], [5, BLOB_CHUNK_BYTES * 2 + 5]] as const) {
        expect(Buffer.compare(await read(a, b), bytes.subarray(a, b + 1))).toBe(0);
      }
      expect(await store.blobs.put(pieces(bytes), { id: 'cut', owner: 'u', maxBytes: size - 1, verify: ok })).toEqual({ status: 'rejected', code: 'too_large' });
      expect(await store.blobs.put(pieces(bytes), { id: 'bad', owner: 'u', maxBytes: size, verify: () => ({ ok: false, code: 'malformed' }) })).toEqual({ status: 'rejected', code: 'malformed' });
      const [left] = await admin((sql) => sql.unsafe('SELECT count(*)::int4 AS n, count(DISTINCT upload)::int4 AS u FROM blob_chunks.blob_chunks'));
      expect(left).toEqual({ n: 3, u: 1 });
      console.log(`[postgres] blob ${size} B in ${left!['n']} chunks, 5 ranges exact, 2 refused uploads left 0 chunks`);
    } finally {
      await store.close();
    }
  });

  it('RLY-10: a PostgreSQL restart loses nothing acknowledged and the store reconnects', async () => {
    const store = await createPostgresRelayStore({ url: server.url, schema: 'restart', maxConnections: 2 });
    try {
      const req = (counter: number) => ({ doc: 'd', author: 'a', device: 'x', counter, to: counter, kind: 'update' as const, hash: String(counter).padStart(64, '0'), bytes: new Uint8Array([counter]) });
      const before = await store.docs.append([req(1), req(2)]);
      await server.restart();
      let failedAttempts = 0;
      let after;
      for (;;) {
        try {
          after = await store.docs.append([req(3)]);
          break;
        } catch {
          // A connection cut by the restart fails its query; the next one reconnects.
          if (++failedAttempts > 3) throw new Error('store did not reconnect');
        }
      }
      const log = await store.docs.read('d', 0, 10);
      expect(log.map((e) => e.seq)).toEqual([...before, ...after].map((o) => (o as { seq: number }).seq));
      console.log(`[postgres] restart: 2 acked before, 1 after, ${failedAttempts} failed attempt(s) while reconnecting, 3/3 kept`);
    } finally {
      await store.close();
    }
  });

  it('BLOB-2: quota reservations hold across instances: parallel uploads on two never exceed the quota', async () => {
    const a = await createPostgresRelayStore({ url: server.url, schema: 'quota', maxConnections: 4 });
    const b = await createPostgresRelayStore({ url: server.url, schema: 'quota', maxConnections: 4 });
    try {
      const ok = () => ({ ok: true }) as const;
      async function* one(n: number): AsyncIterable<Uint8Array> {
        await Promise.resolve();
        yield new Uint8Array(n);
      }
      expect(await a.blobs.put(one(100), { id: 'q0', owner: 'u', maxBytes: 100, verify: ok })).toEqual({ status: 'stored', size: 100 });
      // quota 1000, 100 used: of ten parallel reservations of 300 (five per instance) exactly three fit.
      const grants = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).reservations!.reserve('u', 300, 500, 1000)));
      expect(grants.filter((g) => g === 300).length).toBe(3);
      expect(grants.filter((g) => g === 0).length).toBe(7);
      // Without a declared length: what remains (0 now), capped.
      expect(await b.reservations!.reserve('u', undefined, 500, 1000)).toBe(0);
      await a.reservations!.release('u', 300);
      expect(await b.reservations!.reserve('u', undefined, 500, 1000)).toBe(300);
      expect(await a.reservations!.reserve('other', undefined, 500, 1000)).toBe(500);
      console.log(`[postgres] quota across 2 instances: grants ${grants.join(',')}`);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('RLY-33: /health reports the database: 200 while it answers, 503 once it does not', async () => {
    const store = await createPostgresRelayStore({ url: server.url, schema: 'health', maxConnections: 2 });
    const t = await createTestRelay({ store });
    const up = await t.fetch('/health');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ok: true, durability: 'postgresql-synchronous_commit=on', database: 'ok' });
    await store.close();
    const down = await t.fetch('/health');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ ok: false, database: 'unreachable' });
  });

  runRelayStoreConformance('postgresql', async () => {
    const schema = `conformance_${++fixtures}`;
    const opened: RelayStore[] = [await createPostgresRelayStore({ url: server.url, schema, maxConnections: 4 })];
    return {
      store: opened[0]!,
      async reopen() {
        await opened.at(-1)!.close();
        const s = await createPostgresRelayStore({ url: server.url, schema, maxConnections: 4 });
        opened.push(s);
        return s;
      },
      async cleanup() {
        for (const s of opened) await s.close();
        await admin((sql) => sql.unsafe(`DROP SCHEMA ${schema} CASCADE`));
      },
    };
  });
});
