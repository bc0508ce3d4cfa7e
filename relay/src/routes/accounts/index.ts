import { deriveUserId, registerSigningBytes } from '@kith/core';
import { asRecord, decodeHex, encodeHex } from '@kith/core/protocol';
import { Hono } from 'hono';
import type { Relay } from '../../relay.js';
import { verifyDetached, verifyPublicIdentityBytes } from '../../services/crypto.js';
import { limitBody, limitByAddress, raise, readJson, requireSession, type RelayEnv } from '../http.js';

const USERNAME_RE = /^[A-Za-z0-9_.]{3,32}$/;

/** ACC-1: usernames are 3–32 of [A-Za-z0-9_.]; uniqueness is on the lowercase form. */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

/**
 * KEY-1: the registration's `identity` must decode and verify with core's `decodePublicIdentity`
 * and carry the same keys as the registration. Required: a directory entry without it is useless
 * to a verifying client (it refuses to use bare `signKey`/`boxKey`, C1).
 */
async function parseIdentity(value: unknown, signKey: Uint8Array, boxKey: Uint8Array): Promise<string> {
  if (value === undefined) raise('malformed', 'identity is required (KEY-1)');
  const bytes = decodeHex(value, 128);
  if (bytes === undefined) raise('malformed', 'identity must be 128 bytes of hex');
  const decoded = await verifyPublicIdentityBytes(bytes);
  if (!decoded.ok) raise('bad_signature', 'identity: box key not signed by the signing key');
  if (encodeHex(decoded.value.signingKey) !== encodeHex(signKey) || encodeHex(decoded.value.boxKey) !== encodeHex(boxKey)) {
    raise('invalid_argument', 'identity does not carry the registered keys');
  }
  return encodeHex(bytes);
}

/**
 * Accounts and directory (ACC-*), key backup (RLY-15):
 * - `POST /v1/accounts` register `{ v: 1, username, signKey, boxKey, signature, identity }` (hex);
 *   `identity` is the 128-byte signed public identity (KEY-1), verified and stored as sent
 * - `GET /v1/accounts/:username` public keys of a username, with `identity` so the client can
 *   verify that the box key is bound to the signing key (the relay cannot substitute it)
 * - `PUT /v1/backup` (session) store the password-encrypted backup, header `x-kith-backup-version`
 * - `GET /v1/accounts/:username/backup` fetch it (for recovery on a new device)
 */
export function createAccountRoutes(relay: Relay): Hono<RelayEnv> {
  const { store, limits, clock, logger } = relay.ctx;
  const app = new Hono<RelayEnv>();

  app.post('/v1/accounts', limitByAddress(relay), limitBody(limits.maxJsonBytes), async (c) => {
    const o = asRecord(await readJson(c));
    if (o === undefined || o['v'] !== 1) raise('malformed', 'registration must be a v1 object');
    const username = o['username'];
    if (typeof username !== 'string' || !USERNAME_RE.test(username)) raise('invalid_argument', 'username must be 3-32 of A-Z a-z 0-9 _ .');
    const signKey = decodeHex(o['signKey'], 32);
    const boxKey = decodeHex(o['boxKey'], 32);
    const signature = decodeHex(o['signature'], 64);
    if (signKey === undefined || boxKey === undefined || signature === undefined) raise('malformed', 'keys and signature must be hex');
    if (!verifyDetached(signature, registerSigningBytes(username, signKey, boxKey), signKey)) raise('bad_signature', 'registration signature invalid');
    const identity = await parseIdentity(o['identity'], signKey, boxKey);
    const userId = deriveUserId(signKey);
    const result = await store.accounts.createAccount({
      userId,
      username,
      usernameKey: usernameKey(username),
      signKey: o['signKey'] as string,
      boxKey: o['boxKey'] as string,
      identity,
      createdAt: clock.now(),
    });
    if (result === 'taken') raise('conflict', 'username or key already registered');
    logger.log('info', 'account.created', { user: userId });
    return c.json({ userId }, 201);
  });

  app.get('/v1/accounts/:username', limitByAddress(relay), async (c) => {
    const name = c.req.param('username');
    if (!USERNAME_RE.test(name)) raise('invalid_argument', 'not a username');
    const a = await store.accounts.getAccountByUsername(usernameKey(name));
    if (a === undefined) raise('not_found', 'no such username');
    return c.json({ userId: a.userId, username: a.username, signKey: a.signKey, boxKey: a.boxKey, ...(a.identity === undefined ? {} : { identity: a.identity }) });
  });

  app.put('/v1/backup', requireSession(relay), limitBody(limits.maxBackupBytes), async (c) => {
    const v = c.req.header('x-kith-backup-version') ?? '';
    if (!/^[0-9]{1,15}$/.test(v) || Number(v) < 1) raise('invalid_argument', 'x-kith-backup-version must be a positive integer');
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) raise('invalid_argument', 'empty backup');
    const session = c.get('session');
    const r = await store.accounts.putBackup(session.userId, { version: Number(v), bytes });
    if (r === 'rollback') raise('rollback', 'a backup with this or a newer version is stored');
    logger.log('info', 'backup.stored', { user: session.userId, version: Number(v), bytes: bytes.length });
    return c.json({ version: Number(v) });
  });

  app.get('/v1/accounts/:username/backup', limitByAddress(relay), async (c) => {
    const name = c.req.param('username');
    if (!USERNAME_RE.test(name)) raise('invalid_argument', 'not a username');
    const a = await store.accounts.getAccountByUsername(usernameKey(name));
    const b = a === undefined ? undefined : await store.accounts.getBackup(a.userId);
    if (b === undefined) raise('not_found', 'no backup');
    return c.body(new Uint8Array(b.bytes), 200, { 'content-type': 'application/octet-stream', 'x-kith-backup-version': String(b.version) });
  });

  return app;
}
