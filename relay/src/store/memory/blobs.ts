import type { BlobMeta, BlobPutOptions, BlobPutOutcome, BlobStore } from '../ports.js';

/** BlobStore in memory. Same contract as the file-backed store. */
export function createMemoryBlobStore(): BlobStore {
  const blobs = new Map<string, { owner: string; bytes: Uint8Array }>();
  return {
    async put(chunks: AsyncIterable<Uint8Array>, o: BlobPutOptions): Promise<BlobPutOutcome> {
      const parts: Uint8Array[] = [];
      let size = 0;
      for await (const c of chunks) {
        size += c.length;
        if (size > o.maxBytes) return { status: 'rejected', code: 'too_large' };
        parts.push(c.slice());
      }
      const v = o.verify(size);
      if (!v.ok) return { status: 'rejected', code: v.code };
      const existing = blobs.get(o.id);
      if (existing !== undefined) return { status: 'exists', size: existing.bytes.length };
      const bytes = new Uint8Array(size);
      let off = 0;
      for (const p of parts) {
        bytes.set(p, off);
        off += p.length;
      }
      blobs.set(o.id, { owner: o.owner, bytes });
      return { status: 'stored', size };
    },
    stat(id: string): Promise<BlobMeta | undefined> {
      const b = blobs.get(id);
      return Promise.resolve(b === undefined ? undefined : { id, size: b.bytes.length });
    },
    async *read(id: string, start: number, end: number): AsyncIterable<Uint8Array> {
      const b = blobs.get(id);
      if (b === undefined) return;
      const slice = b.bytes.subarray(start, end + 1);
      for (let i = 0; i < slice.length; i += 64 * 1024) {
        await Promise.resolve();
        yield slice.slice(i, i + 64 * 1024);
      }
    },
    usage(owner: string): Promise<number> {
      let n = 0;
      for (const b of blobs.values()) if (b.owner === owner) n += b.bytes.length;
      return Promise.resolve(n);
    },
    storedBytes(): Promise<number> {
      let n = 0;
      for (const b of blobs.values()) n += b.bytes.length;
      return Promise.resolve(n);
    },
  };
}
