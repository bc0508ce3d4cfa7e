import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { BlobMeta, BlobPutOptions, BlobPutOutcome, BlobStore } from '../ports.js';
import type { DurableBarrier } from './wal-sync.js';

let tmpCounter = 0;

/**
 * Blob bytes as files under `dir` (`<dir>/<id[0..2]>/<id>`), metadata (owner, size) in SQLite.
 * A put streams into `<dir>/tmp/`, fsyncs, verifies, renames into place, fsyncs the directory,
 * then records the row (durable before it resolves): a crash leaves at most an orphan temp
 * file, never a partial blob.
 */
export function createFileBlobStore(db: Database.Database, dir: string, durable: DurableBarrier): BlobStore {
  const getMeta = db.prepare<[string], { size: number }>('SELECT size FROM blobs WHERE id = ?');
  const insertMeta = db.prepare('INSERT OR IGNORE INTO blobs (id, owner, size) VALUES (?, ?, ?)');
  const usage = db.prepare<[string], { n: number }>('SELECT total(size) AS n FROM blobs WHERE owner = ?');
  const total = db.prepare<[], { n: number }>('SELECT total(size) AS n FROM blobs');
  const pathOf = (id: string): string => join(dir, id.slice(0, 2), id);
  const tmpDir = join(dir, 'tmp');

  return {
    async put(chunks: AsyncIterable<Uint8Array>, o: BlobPutOptions): Promise<BlobPutOutcome> {
      await mkdir(tmpDir, { recursive: true });
      const tmp = join(tmpDir, `${process.pid}-${Date.now()}-${tmpCounter++}`);
      const fh = await open(tmp, 'w');
      let size = 0;
      let closed = false;
      try {
        for await (const c of chunks) {
          size += c.length;
          if (size > o.maxBytes) return { status: 'rejected', code: 'too_large' };
          await fh.write(c);
        }
        const v = o.verify(size);
        if (!v.ok) return { status: 'rejected', code: v.code };
        const existing = getMeta.get(o.id);
        if (existing !== undefined) return { status: 'exists', size: existing.size };
        await fh.sync();
        await fh.close();
        closed = true;
        const finalDir = join(dir, o.id.slice(0, 2));
        await mkdir(finalDir, { recursive: true });
        await rename(tmp, pathOf(o.id));
        const dh = await open(finalDir, 'r');
        await dh.sync().finally(() => dh.close());
        insertMeta.run(o.id, o.owner, size);
        await durable();
        return { status: 'stored', size };
      } finally {
        if (!closed) await fh.close().catch(() => undefined);
        await rm(tmp, { force: true });
      }
    },
    stat(id: string): Promise<BlobMeta | undefined> {
      const r = getMeta.get(id);
      return Promise.resolve(r === undefined ? undefined : { id, size: r.size });
    },
    async *read(id: string, start: number, end: number): AsyncIterable<Uint8Array> {
      if (getMeta.get(id) === undefined) return;
      for await (const chunk of createReadStream(pathOf(id), { start, end, highWaterMark: 64 * 1024 })) {
        yield new Uint8Array(chunk as Buffer);
      }
    },
    usage: (owner) => Promise.resolve(usage.get(owner)!.n),
    storedBytes: () => Promise.resolve(total.get()!.n),
  };
}
