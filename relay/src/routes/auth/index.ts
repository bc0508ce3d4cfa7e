import { Hono } from 'hono';
import { asRecord } from '@kith/core/protocol';
import type { Relay } from '../../relay.js';
import { clientAddress, expectOk, limitBody, limitByAddress, raise, readJson, requireSession, type RelayEnv } from '../http.js';

/**
 * Challenge-response sessions (SES-*):
 * - `POST /v1/auth/challenge` `{ user }` → `{ nonce, expiresAt }`
 * - `POST /v1/auth/session` `{ user, device, nonce, signature }` → `{ token, expiresAt }`
 * - `DELETE /v1/auth/session` (session) logs out
 */
export function createAuthRoutes(relay: Relay): Hono<RelayEnv> {
  const app = new Hono<RelayEnv>();
  const limit = limitBody(relay.ctx.limits.maxJsonBytes);

  app.post('/v1/auth/challenge', limitByAddress(relay), limit, async (c) => {
    const o = asRecord(await readJson(c));
    if (o === undefined) raise('malformed', 'expected an object');
    return c.json(expectOk(await relay.auth.challenge(o['user'], clientAddress(c))));
  });

  app.post('/v1/auth/session', limitByAddress(relay), limit, async (c) => {
    const o = asRecord(await readJson(c));
    if (o === undefined) raise('malformed', 'expected an object');
    const r = await relay.auth.createSession({ user: o['user'], device: o['device'], nonce: o['nonce'], signature: o['signature'] });
    return c.json(expectOk(r), 201);
  });

  app.delete('/v1/auth/session', requireSession(relay), async (c) => {
    await relay.auth.revoke(c.get('session'));
    return c.json({ ok: true });
  });

  return app;
}
