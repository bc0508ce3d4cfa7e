import { isKithError } from '@kith/core';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { UpgradeWebSocket } from 'hono/ws';
import { createRelay, type Relay, type RelayDeps } from './relay.js';
import { createAccountRoutes } from './routes/accounts/index.js';
import { createAuthRoutes } from './routes/auth/index.js';
import { createBlobRoutes } from './routes/blobs/index.js';
import { createCapabilityRoutes } from './routes/caps/index.js';
import { createDocumentRoutes } from './routes/docs/index.js';
import { createHealthRoutes } from './routes/health/index.js';
import { errorBody, httpExceptionCode, statusOf, type RelayEnv } from './routes/http.js';
import { createWebSocketRoutes } from './routes/ws/index.js';

export interface RelayAppDeps extends RelayDeps {
  /** From `@hono/node-server`; without it there is no `/v1/ws` (tests drive sockets directly). */
  readonly upgradeWebSocket?: UpgradeWebSocket<unknown>;
  /** CORS origins for browser clients; default any origin (no cookies are used). */
  readonly corsOrigin?: string | string[];
}

export interface RelayApp {
  readonly app: Hono<RelayEnv>;
  readonly relay: Relay;
}

/**
 * The relay as a Hono app (STYLE §11): one factory, injected store/clock/logger, every route
 * testable with `app.request`, one `onError` mapping coded errors to `{ error: { code, message } }`.
 */
export async function createRelayApp(deps: RelayAppDeps): Promise<RelayApp> {
  const relay = await createRelay(deps);
  const { logger, metrics, clock } = relay.ctx;
  const app = new Hono<RelayEnv>();

  app.use(requestId());
  app.use(cors({ origin: deps.corsOrigin ?? '*', exposeHeaders: ['x-kith-backup-version', 'content-range', 'x-request-id'] }));
  app.use(async (c, next) => {
    const started = clock.now();
    metrics.httpRequests++;
    await next();
    // Route pattern only: the URL itself may carry a username (OPS-3).
    logger.log('info', 'http', { id: c.get('requestId'), method: c.req.method, route: c.req.routePath, status: c.res.status, ms: clock.now() - started });
  });

  app.route('/', createHealthRoutes(relay));
  app.route('/', createAccountRoutes(relay));
  app.route('/', createAuthRoutes(relay));
  app.route('/', createCapabilityRoutes(relay));
  app.route('/', createDocumentRoutes(relay));
  app.route('/', createBlobRoutes(relay));
  if (deps.upgradeWebSocket !== undefined) app.route('/', createWebSocketRoutes(relay, deps.upgradeWebSocket));

  app.notFound((c) => {
    metrics.reject('not_found');
    return c.json(errorBody('not_found', 'no such route'), 404);
  });

  app.onError((err, c) => {
    if (isKithError(err)) {
      metrics.reject(err.code);
      return c.json(errorBody(err.code, err.message.replace(/^[a-z_]+: /, '')), statusOf(err.code));
    }
    if (err instanceof HTTPException) {
      const code = httpExceptionCode(err);
      metrics.reject(code);
      return c.json(errorBody(code, 'request rejected'), err.status);
    }
    metrics.reject('internal');
    logger.log('error', 'http.internal', { id: c.get('requestId'), route: c.req.routePath, error: err.name });
    return c.json(errorBody('storage_failed', 'internal error'), 500);
  });

  return { app, relay };
}
