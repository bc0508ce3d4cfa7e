import { encodeBase64 } from '@kith/core/protocol';
import { Hono } from 'hono';
import type { Relay } from '../../relay.js';
import { expectOk, limitBody, raise, requireSession, type RelayEnv } from '../http.js';

const CAP_RE = /^[A-Za-z0-9_-]{1,128}$/;

function optionalInt(text: string | undefined, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]{1,16}$/.test(text) || Number(text) > max) raise('invalid_argument', `${name} must be an integer ≤ ${max}`);
  return Number(text);
}

function capHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!CAP_RE.test(value)) raise('invalid_argument', 'malformed capability');
  return value;
}

/**
 * Document logs over HTTP (the same rules as the WebSocket `push`/`pull`):
 * - `POST /v1/docs` (session) body = one encoded envelope; headers `x-kith-cap`,
 *   `x-kith-supersedes`; → `{ doc, seq, duplicate }` once durable
 * - `GET /v1/docs/:doc?after=&limit=` (session, `x-kith-cap`) → `{ entries: [{seq, env}], next, more }`
 */
export function createDocumentRoutes(relay: Relay): Hono<RelayEnv> {
  const app = new Hono<RelayEnv>();
  const { limits } = relay.ctx;

  app.post('/v1/docs', requireSession(relay), limitBody(limits.maxEnvelopeBytes), async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const supersedesHeader = c.req.header('x-kith-supersedes');
    const r = await relay.docs.push(c.get('session'), bytes, {
      cap: capHeader(c.req.header('x-kith-cap')),
      supersedes: supersedesHeader === undefined ? undefined : optionalInt(supersedesHeader, 'x-kith-supersedes', 0),
    });
    const ack = expectOk(r);
    return c.json(ack, ack.duplicate ? 200 : 201);
  });

  app.get('/v1/docs/:doc', requireSession(relay), async (c) => {
    const after = optionalInt(c.req.query('after'), 'after', 0);
    const limit = Math.max(1, optionalInt(c.req.query('limit'), 'limit', 100, limits.maxPullLimit));
    const page = expectOk(await relay.docs.pull(c.req.param('doc'), capHeader(c.req.header('x-kith-cap')), after, limit));
    return c.json({ entries: page.entries.map((e) => ({ seq: e.seq, env: encodeBase64(e.bytes) })), next: page.next, more: page.more });
  });

  return app;
}
