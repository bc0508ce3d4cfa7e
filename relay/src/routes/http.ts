import { KithError, type ErrorCode } from '@kith/core';
import { parseJsonSafe } from '@kith/core/protocol';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Relay } from '../relay.js';
import type { Session } from '../services/auth.js';

export interface RelayEnv {
  Variables: { session: Session; requestId: string };
}

const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  unauthorized: 401,
  forbidden: 403,
  not_the_author: 403,
  not_found: 404,
  conflict: 409,
  equivocation: 409,
  replay: 409,
  rollback: 409,
  too_large: 413,
  message_too_large: 413,
  quota_exceeded: 413,
  rate_limited: 429,
  storage_failed: 503,
  closed: 503,
};

/** HTTP status of an error code (docs/PROTOCOL.md § Relay API, errors). Input errors are 400. */
export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS[code] ?? 400;
}

/** Throws the coded error; the app's one `onError` turns it into `{ error: { code, message } }`. */
export function raise(code: ErrorCode, message: string): never {
  throw new KithError(code, message);
}

export function expectOk<T>(r: { ok: true; value: T } | { ok: false; error: KithError }): T {
  if (!r.ok) throw r.error;
  return r.value;
}

/** Body limit with our error shape (OPS-4). */
export function limitBody(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new KithError('too_large', `body over ${maxSize} bytes`);
    },
  });
}

/** Reads a JSON body through the prototype-safe parser. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  return expectOk(parseJsonSafe(text, { maxChars: 1 << 20, maxDepth: 6 }));
}

/** The client address for per-address rate limits (the socket peer; proxies are not trusted). */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}

/** Per-address rate limit for unauthenticated routes. */
export function limitByAddress(relay: Relay): MiddlewareHandler {
  return async (c, next) => {
    if (!relay.ctx.ipLimiter.take(clientAddress(c))) raise('rate_limited', 'too many requests from this address');
    await next();
  };
}

/** SES-3: `Authorization: Bearer <token>` → `c.var.session`; also the per-account rate limit. */
export function requireSession(relay: Relay): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header?.startsWith('Bearer ') === true ? header.slice(7) : undefined;
    const session = expectOk(await relay.auth.authenticate(token));
    if (!relay.ctx.accountLimiter.take(session.userId)) raise('rate_limited', 'account rate limit');
    c.set('session', session);
    await next();
  };
}

export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}

export function httpExceptionCode(e: HTTPException): ErrorCode {
  if (e.status === 413) return 'too_large';
  if (e.status === 401) return 'unauthorized';
  if (e.status === 429) return 'rate_limited';
  return 'invalid_argument';
}
