import sodium from 'libsodium-wrappers';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestIdentity } from '../../testing/identity.js';
import { registerAndLogin } from '../../testing/client.js';
import { createTestRelay, type TestRelay } from '../../testing/fixture.js';
import { parseRange } from './range.js';

const idOf = (b: Uint8Array): string => sodium.to_hex(sodium.crypto_generichash(32, b, null));

describe('blobs (BLOB-*)', () => {
  let t: TestRelay;
  let token: string;
  const auth = () => ({ authorization: `Bearer ${token}` });
  const upload = (id: string, bytes: Uint8Array) => t.fetch(`/v1/blobs/${id}`, { method: 'PUT', headers: auth(), body: bytes as Uint8Array<ArrayBuffer> });

  beforeEach(async () => {
    t = await createTestRelay({ limits: { maxBlobBytes: 64 * 1024, accountQuotaBytes: 100 * 1024 } });
    token = await registerAndLogin(t.fetch, createTestIdentity('alice'), 'alice');
  });

  it('BLOB-1 uploads content-addressed blobs, refuses a wrong hash, the size limit and the quota', async () => {
    const a = new Uint8Array(50 * 1024).map((_, i) => i % 251);
    expect((await upload(idOf(a), a)).status).toBe(201);
    expect((await upload(idOf(a), a)).status).toBe(200);
    const wrong = await upload(idOf(a).replace(/^./, (c) => (c === '0' ? '1' : '0')), a);
    expect(wrong.status).toBe(400);
    const big = new Uint8Array(65 * 1024);
    const tooBig = await upload(idOf(big), big);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('too_large');
    const b = new Uint8Array(60 * 1024).fill(7);
    const quota = await upload(idOf(b), b);
    expect(((await quota.json()) as { error: { code: string } }).error.code).toBe('quota_exceeded');
    expect((await upload('XYZ', a)).status).toBe(400);
    expect((await t.fetch(`/v1/blobs/${idOf(a)}`, { method: 'PUT', body: a })).status).toBe(401);
    expect(await t.relay.ctx.store.blobs.storedBytes()).toBe(a.length);
    console.log(`[blobs] stored 1 of 6 uploads (${a.length} bytes); wrong hash, size, quota, bad id, no session refused`);
  });

  it('downloads whole, by range, by suffix; 416 past the end; HEAD has no body', async () => {
    const a = new Uint8Array(10_000).map((_, i) => i % 256);
    await upload(idOf(a), a);
    const full = await t.fetch(`/v1/blobs/${idOf(a)}`, { headers: auth() });
    expect(full.status).toBe(200);
    expect(new Uint8Array(await full.arrayBuffer())).toEqual(a);
    const part = await t.fetch(`/v1/blobs/${idOf(a)}`, { headers: { ...auth(), range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(a.slice(100, 200));
    const suffix = await t.fetch(`/v1/blobs/${idOf(a)}`, { headers: { ...auth(), range: 'bytes=-10' } });
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(a.slice(-10));
    const past = await t.fetch(`/v1/blobs/${idOf(a)}`, { headers: { ...auth(), range: 'bytes=20000-' } });
    expect(past.status).toBe(416);
    const head = await t.fetch(`/v1/blobs/${idOf(a)}`, { method: 'HEAD', headers: auth() });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10000');
    expect((await t.fetch(`/v1/blobs/${'0'.repeat(64)}`, { headers: auth() })).status).toBe(404);
  });

  it('parses ranges per RFC 9110', () => {
    expect(parseRange(undefined, 10)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=2-', 10)).toEqual({ kind: 'range', start: 2, end: 9 });
    expect(parseRange('bytes=2-100', 10)).toEqual({ kind: 'range', start: 2, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ kind: 'range', start: 7, end: 9 });
    expect(parseRange('bytes=5-2', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-1,3-4', 10)).toEqual({ kind: 'full' });
    expect(parseRange('items=1-2', 10)).toEqual({ kind: 'full' });
  });

  it('M8: parallel uploads cannot together exceed the quota; a failed upload releases its reservation (BLOB-2)', async () => {
    const slow = (bytes: Uint8Array): ReadableStream<Uint8Array> => {
      let i = 0;
      return new ReadableStream({
        async pull(controller) {
          await new Promise<void>((r) => setImmediate(r));
          if (i >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(i, i + 4096));
          i += 4096;
        },
      });
    };
    const put = (bytes: Uint8Array, id = idOf(bytes)) =>
      t.fetch(`/v1/blobs/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-length': String(bytes.length) },
        body: slow(bytes),
        duplex: 'half',
      } as RequestInit);
    const blobs = [1, 2, 3].map((k) => new Uint8Array(40 * 1024).fill(k));
    const statuses = (await Promise.all(blobs.map((b) => put(b)))).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 413]);
    expect(await t.relay.ctx.store.blobs.usage(createTestIdentity('alice').userId)).toBe(80 * 1024);
    // A refused upload (wrong hash) releases its reservation: 20 KiB still fit afterwards.
    const small = new Uint8Array(10 * 1024).fill(9);
    expect((await put(small, idOf(blobs[0]!))).status).toBe(400);
    expect((await put(small)).status).toBe(201);
    console.log(`[blobs] M8 3 parallel 40 KiB uploads under a 100 KiB quota: ${statuses.join(',')}; reservation released after a refused upload`);
  });
});
