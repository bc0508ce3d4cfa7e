import { Hono, type Context } from 'hono';
import type { Relay } from '../../relay.js';
import { createBlake2bStream } from '../../services/crypto.js';
import { raise, requireSession, type RelayEnv } from '../http.js';
import { createQuotaReservations } from './quota.js';
import { parseRange } from './range.js';

const BLOB_ID_RE = /^[0-9a-f]{64}$/;

async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (body === null) return;
  const reader: ReadableStreamDefaultReader<Uint8Array> = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function streamOf(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r: IteratorResult<Uint8Array, unknown> = await it.next();
        if (r.done === true) controller.close();
        else controller.enqueue(r.value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
}

/**
 * Encrypted blobs (BLOB-*), addressed by BLAKE2b-256 of their ciphertext:
 * - `PUT /v1/blobs/:id` (session) streamed upload; the relay hashes while writing and
 *   refuses a body whose hash is not `id`; size and per-account quota are enforced mid-stream
 * - `GET /v1/blobs/:id` (session) streamed download with single `Range` support; `HEAD` too
 */
export function createBlobRoutes(relay: Relay): Hono<RelayEnv> {
  const app = new Hono<RelayEnv>();
  const { store, limits, logger } = relay.ctx;
  // BLOB-2: a shared store (PostgreSQL) reserves across instances; else this process does.
  const local = createQuotaReservations();
  const quota = store.reservations ?? {
    reserve: (owner: string, want: number | undefined, cap: number, max: number) => local.reserve(owner, want, cap, max, () => store.blobs.usage(owner)),
    release: (owner: string, bytes: number) => local.release(owner, bytes),
  };

  app.put('/v1/blobs/:id', requireSession(relay), async (c) => {
    const id = c.req.param('id');
    if (!BLOB_ID_RE.test(id)) raise('invalid_id', 'blob id must be 64 lowercase hex');
    const session = c.get('session');
    const overLimit = (size: number): never =>
      size > limits.maxBlobBytes ? raise('too_large', `blob over ${limits.maxBlobBytes} bytes`) : raise('quota_exceeded', 'account blob quota exceeded');
    const header = c.req.header('content-length');
    const declared = header !== undefined && /^[0-9]{1,16}$/.test(header) ? Number(header) : undefined;
    if (declared !== undefined && declared > limits.maxBlobBytes) overLimit(declared);
    // M8: reserve the budget before streaming (the declared length, else what remains), so
    // parallel uploads cannot together exceed the quota; released whatever happens.
    const maxBytes = await quota.reserve(session.userId, declared, limits.maxBlobBytes, limits.accountQuotaBytes);
    if (maxBytes === 0 && declared !== 0) overLimit(declared ?? 0);
    const hasher = createBlake2bStream();
    let seen = 0;
    async function* hashed(): AsyncIterable<Uint8Array> {
      for await (const chunk of chunksOf(c.req.raw.body)) {
        seen += chunk.length;
        hasher.update(chunk);
        yield chunk;
      }
    }
    let outcome;
    try {
      outcome = await store.blobs.put(hashed(), {
        id,
        owner: session.userId,
        maxBytes,
        verify: () => (hasher.digestHex() === id ? { ok: true } : { ok: false, code: 'malformed' }),
      });
    } finally {
      await quota.release(session.userId, maxBytes);
    }
    if (outcome.status === 'rejected') {
      if (outcome.code === 'too_large') overLimit(seen);
      raise('malformed', 'content does not hash to the blob id');
    }
    logger.log('info', 'blob.stored', { user: session.userId, bytes: outcome.size, created: outcome.status === 'stored' });
    return c.json({ id, size: outcome.size }, outcome.status === 'stored' ? 201 : 200);
  });

  const download = () =>
    async (c: Context<RelayEnv>) => {
      const headOnly = c.req.method === 'HEAD';
      const id = c.req.param('id') ?? '';
      if (!BLOB_ID_RE.test(id)) raise('invalid_id', 'blob id must be 64 lowercase hex');
      const meta = await store.blobs.stat(id);
      if (meta === undefined) raise('not_found', 'no such blob');
      const range = parseRange(c.req.header('range'), meta.size);
      const headers: Record<string, string> = {
        'accept-ranges': 'bytes',
        'content-type': 'application/octet-stream',
        etag: `"${id}"`,
        'cache-control': 'private, max-age=31536000, immutable',
      };
      if (range.kind === 'unsatisfiable') {
        return c.body(null, 416, { ...headers, 'content-range': `bytes */${meta.size}` });
      }
      const [start, end, status] = range.kind === 'range' ? [range.start, range.end, 206 as const] : [0, meta.size - 1, 200 as const];
      headers['content-length'] = String(Math.max(0, end - start + 1));
      if (range.kind === 'range') headers['content-range'] = `bytes ${start}-${end}/${meta.size}`;
      if (headOnly || meta.size === 0) return c.body(null, status, headers);
      return c.body(streamOf(store.blobs.read(id, start, end)), status, headers);
    };

  // Hono answers HEAD with this GET handler, without the body.
  app.get('/v1/blobs/:id', requireSession(relay), download());
  return app;
}
