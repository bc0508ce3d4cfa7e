import { Hono } from 'hono';
import type { Relay } from '../../relay.js';
import { expectOk, limitBody, raise, readJson, requireSession, type RelayEnv } from '../http.js';

/**
 * Capabilities (CAP-*):
 * - `PUT /v1/caps` (session) a signed capability record for a scope
 * - `GET /v1/caps/:scope` (session) its version and controllers (never the hashes)
 */
export function createCapabilityRoutes(relay: Relay): Hono<RelayEnv> {
  const app = new Hono<RelayEnv>();
  app.put('/v1/caps', requireSession(relay), limitBody(relay.ctx.limits.maxJsonBytes), async (c) => {
    const r = await relay.caps.put(c.get('session'), await readJson(c));
    return c.json(expectOk(r));
  });
  app.get('/v1/caps/:scope', requireSession(relay), async (c) => {
    const rec = await relay.caps.get(c.req.param('scope'));
    if (rec === undefined) raise('not_found', 'no capability for this scope');
    return c.json({ scope: rec.scope, version: rec.version, controllers: rec.controllers, writeProtected: rec.writeHash !== undefined });
  });
  return app;
}
