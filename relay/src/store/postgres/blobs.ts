import type { Sql } from 'postgres';
import type { BlobMeta, BlobPutOptions, BlobPutOutcome, BlobStore } from '../ports.js';
import { asBuffer, asBytes } from './bytes.js';

/** Bytes per stored chunk row (TOASTed bytea); ranges map to chunk indexes by division. */
export const BLOB_CHUNK_BYTES = 256 * 1024;

/** Re-cuts a stream of arbitrary pieces into chunks of exactly `size` bytes (the last shorter). */
async function* rechunk(pieces: AsyncIterable<Uint8Array>, size: number, onBytes: (n: number) => boolean): AsyncIterable<Uint8Array> {
  let buf = new Uint8Array(size);
  let fill = 0;
  for await (const piece of pieces) {
    if (!onBytes(piece.length)) return;
    let off = 0;
    while (off < piece.length) {
      const n = Math.min(size - fill, piece.length - off);
      buf.set(piece.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === size) {
        yield buf;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/**
 * BlobStore in PostgreSQL (RLY-32): chunks are written, each committed, under a fresh upload id
 * that no blob row references yet — invisible. After verification ONE statement inserts the
 * `blobs` row pointing at that upload; the first upload of an id wins and later ones are
 * `exists` (their chunks are deleted). Every instance reads the same bytes; no shared
 * filesystem. An upload abandoned by a crash leaves unreferenced chunks, removed by
 * `pruneAbandonedUploads` at start.
 */
export function createPostgresBlobStore(sql: Sql): BlobStore {
  const statOf = async (id: string): Promise<{ size: number; upload: string; chunk: number } | undefined> => {
    const [r] = await sql<{ size: string; upload: string; chunk_bytes: number }[]>`SELECT size, upload, chunk_bytes FROM blobs WHERE id = ${id}`;
    return r === undefined ? undefined : { size: Number(r.size), upload: r.upload, chunk: r.chunk_bytes };
  };

  return {
    async put(chunks: AsyncIterable<Uint8Array>, o: BlobPutOptions): Promise<BlobPutOutcome> {
      const [u] = await sql<{ upload: string }[]>`INSERT INTO blob_uploads DEFAULT VALUES RETURNING upload`;
      const upload = u!.upload;
      let published = false;
      try {
        let size = 0;
        let idx = 0;
        const within = (n: number): boolean => (size += n) <= o.maxBytes;
        for await (const chunk of rechunk(chunks, BLOB_CHUNK_BYTES, within)) {
          await sql`INSERT INTO blob_chunks (upload, idx, bytes) VALUES (${upload}::int8, ${idx++}::int4, ${asBuffer(chunk)}::bytea)`;
        }
        if (size > o.maxBytes) return { status: 'rejected', code: 'too_large' };
        const v = o.verify(size);
        if (!v.ok) return { status: 'rejected', code: v.code };
        const rows = await sql`
          INSERT INTO blobs (id, owner, size, upload, chunk_bytes)
          VALUES (${o.id}, ${o.owner}, ${size}::int8, ${upload}::int8, ${BLOB_CHUNK_BYTES}::int4)
          ON CONFLICT (id) DO NOTHING RETURNING 1`;
        if (rows.length === 1) {
          published = true;
          return { status: 'stored', size };
        }
        const existing = await statOf(o.id);
        return { status: 'exists', size: existing?.size ?? size };
      } finally {
        if (!published) await sql`DELETE FROM blob_uploads WHERE upload = ${upload}::int8`.catch(() => undefined);
      }
    },
    async stat(id: string): Promise<BlobMeta | undefined> {
      const s = await statOf(id);
      return s === undefined ? undefined : { id, size: s.size };
    },
    async *read(id: string, start: number, end: number): AsyncIterable<Uint8Array> {
      const s = await statOf(id);
      if (s === undefined || end < start) return;
      const last = Math.min(end, s.size - 1);
      for (let idx = Math.floor(start / s.chunk); idx <= Math.floor(last / s.chunk); idx++) {
        const [r] = await sql<{ bytes: Buffer }[]>`SELECT bytes FROM blob_chunks WHERE upload = ${s.upload}::int8 AND idx = ${idx}::int4`;
        if (r === undefined) return;
        const base = idx * s.chunk;
        const bytes = asBytes(r.bytes);
        yield bytes.subarray(Math.max(0, start - base), Math.min(bytes.length, last - base + 1));
      }
    },
    async usage(owner) {
      const [r] = await sql<{ n: string | null }[]>`SELECT sum(size) AS n FROM blobs WHERE owner = ${owner}`;
      return Number(r?.n ?? 0);
    },
    async storedBytes() {
      const [r] = await sql<{ n: string | null }[]>`SELECT sum(size) AS n FROM blobs`;
      return Number(r?.n ?? 0);
    },
  };
}

/** Deletes uploads older than `olderThanSeconds` that no blob references (crash leftovers). */
export async function pruneAbandonedUploads(sql: Sql, olderThanSeconds: number): Promise<number> {
  const rows = await sql`
    DELETE FROM blob_uploads u WHERE u.started_at < now() - make_interval(secs => ${olderThanSeconds}::float8)
    AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.upload = u.upload)`;
  return rows.count;
}
