import { sha256 } from '@noble/hashes/sha2.js';
import { fail, ok, type ErrorCode, type Result } from '../errors.js';
import { toHex, type UserId } from '../ids.js';
import { decodePublicIdentity, encodePublicIdentity, type Identity, type PublicIdentity } from '../crypto/identity.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { RelayFetch } from '../ports/transport.js';
import { decodeHex as fromHex } from '../protocol/hex.js';
import { authSigningBytes, capabilitySigningBytes, registerSigningBytes } from '../protocol/relay-signing.js';

/** The relay's HTTP API as the client uses it (docs/PROTOCOL.md § Relay API). Never throws. */
const json = (body: unknown, token?: string, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  body: JSON.stringify(body),
});

async function call<T>(f: RelayFetch, path: string, init: RequestInit | undefined, read: (res: Response) => T | Promise<T>): Promise<Result<T>> {
  let res: Response;
  try {
    res = await f(path, init);
  } catch (e) {
    return fail('offline', 'relay unreachable', e);
  }
  if (res.status >= 200 && res.status < 300) {
    try {
      return ok(await read(res));
    } catch (e) {
      return fail('malformed', 'relay answer could not be read', e);
    }
  }
  let code: ErrorCode = res.status === 404 ? 'not_found' : res.status === 409 ? 'conflict' : res.status === 429 ? 'rate_limited' : res.status === 403 ? 'forbidden' : res.status === 401 ? 'unauthorized' : 'malformed';
  try {
    const body = (await res.json()) as { code?: unknown };
    if (body.code === 'rollback' || body.code === 'quota_exceeded' || body.code === 'too_large') code = body.code;
  } catch {
    // no JSON body
  }
  return fail(code, `relay answered ${res.status} to ${path.split('?')[0] ?? ''}`);
}

export async function registerAccount(f: RelayFetch, identity: Identity, username: string): Promise<Result<void>> {
  const { signingKey, boxKey } = identity.public;
  const signature = identity.sign(registerSigningBytes(username, signingKey, boxKey));
  const body = { v: 1, username, signKey: toHex(signingKey), boxKey: toHex(boxKey), signature: toHex(signature), identity: toHex(encodePublicIdentity(identity.public)) };
  return call(f, '/v1/accounts', json(body), () => undefined);
}

export interface DirectoryEntry {
  readonly userId: UserId;
  readonly username: string;
  readonly signingKey: Uint8Array;
  readonly boxKey: Uint8Array;
  readonly identity: PublicIdentity;
}

/**
 * Public keys of a username (C1, KEY-1, ACC-3): only the relay's signed public identity is trusted —
 * the box key must be signed by the signing key (`bad_signature`), the user id derived from the
 * signing key (`unauthorized`). The loose `signKey`/`boxKey` JSON fields are never used.
 */
export async function lookupAccount(f: RelayFetch, crypto: CryptoPort, username: string): Promise<Result<DirectoryEntry>> {
  const r = await call(f, `/v1/accounts/${encodeURIComponent(username)}`, undefined, async (res) => (await res.json()) as Record<string, unknown>);
  if (!r.ok) return r;
  if (typeof r.value['username'] !== 'string') return fail('malformed', 'directory entry');
  const bytes = fromHex(r.value['identity'], 128);
  if (bytes === undefined) return fail('unauthorized', 'directory entry has no signed identity');
  const decoded = decodePublicIdentity(crypto, bytes);
  if (!decoded.ok) return decoded;
  const id = decoded.value;
  if (id.userId !== r.value['userId']) return fail('unauthorized', 'user id is not bound to the signing key');
  return ok({ userId: id.userId, username: r.value['username'], signingKey: id.signingKey, boxKey: id.boxKey, identity: id });
}

/** AUTH-1/2: challenge, sign, session token. */
export async function login(f: RelayFetch, identity: Identity): Promise<Result<string>> {
  const ch = await call(f, '/v1/auth/challenge', json({ user: identity.userId }), async (res) => (await res.json()) as { nonce?: unknown });
  if (!ch.ok) return ch;
  const nonce = fromHex(ch.value.nonce, 32);
  if (nonce === undefined) return fail('malformed', 'challenge nonce');
  const signature = identity.sign(authSigningBytes(nonce, identity.userId, identity.device));
  const s = await call(
    f,
    '/v1/auth/session',
    json({ user: identity.userId, device: identity.device, nonce: toHex(nonce), signature: toHex(signature) }),
    async (res) => (await res.json()) as { token?: unknown },
  );
  if (!s.ok) return s;
  return typeof s.value.token === 'string' ? ok(s.value.token) : fail('malformed', 'session token');
}

const enc = new TextEncoder();

/** CAP-2/3: claims version 1 of a scope with a read token (no write token). `conflict` if already claimed. */
export async function claimCapability(f: RelayFetch, session: string, identity: Identity, scope: string, readToken: string, peer?: UserId): Promise<Result<void>> {
  const readHash = sha256(enc.encode(readToken));
  const controllers = [identity.public.signingKey];
  const signature = identity.sign(capabilitySigningBytes({ scope, version: 1, readHash, controllers }));
  const body = {
    v: 1,
    scope,
    version: 1,
    readHash: toHex(readHash),
    controllers: controllers.map(toHex),
    signer: toHex(identity.public.signingKey),
    signature: toHex(signature),
    ...(peer === undefined ? {} : { peer }),
  };
  return call(f, '/v1/caps', json(body, session, 'PUT'), () => undefined);
}

/** CAP-2: the stored version and controllers (hex keys) of a scope (`GET /v1/caps/:scope`); `not_found` if none. */
export async function getCapability(f: RelayFetch, session: string, scope: string): Promise<Result<{ version: number; controllers: string[] }>> {
  const r = await call(f, `/v1/caps/${encodeURIComponent(scope)}`, { headers: { authorization: `Bearer ${session}` } }, async (res) => (await res.json()) as Record<string, unknown>);
  if (!r.ok) return r;
  const { version, controllers } = r.value;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) return fail('malformed', 'capability version');
  if (!Array.isArray(controllers) || !controllers.every((c): c is string => typeof c === 'string')) return fail('malformed', 'capability controllers');
  return ok({ version, controllers });
}

/** CAP-2, SYNC-24: stores `version` (stored + 1) of a scope with a new read token, signed by me (one of its controllers). */
export async function rotateCapability(f: RelayFetch, session: string, identity: Identity, scope: string, readToken: string, version: number, controllers: readonly Uint8Array[]): Promise<Result<void>> {
  const readHash = sha256(enc.encode(readToken));
  const signature = identity.sign(capabilitySigningBytes({ scope, version, readHash, controllers: [...controllers] }));
  const body = { v: 1, scope, version, readHash: toHex(readHash), controllers: controllers.map(toHex), signer: toHex(identity.public.signingKey), signature: toHex(signature) };
  return call(f, '/v1/caps', json(body, session, 'PUT'), () => undefined);
}

/** One page of a document log (`GET /v1/docs/:doc`), raw envelopes in log order. */
export async function pullDoc(f: RelayFetch, session: string, doc: string, cap: string | undefined, after: number): Promise<Result<{ entries: { seq: number; env: string }[]; next: number; more: boolean }>> {
  const headers: Record<string, string> = { authorization: `Bearer ${session}`, ...(cap === undefined ? {} : { 'x-kith-cap': cap }) };
  const r = await call(f, `/v1/docs/${encodeURIComponent(doc)}?after=${after}&limit=500`, { headers }, async (res) => (await res.json()) as Record<string, unknown>);
  if (!r.ok) return r;
  const { entries, next, more } = r.value;
  if (!Array.isArray(entries) || typeof next !== 'number' || typeof more !== 'boolean') return fail('malformed', 'document page');
  const list = entries.filter((e): e is { seq: number; env: string } => typeof e === 'object' && e !== null && typeof (e as Record<string, unknown>)['seq'] === 'number' && typeof (e as Record<string, unknown>)['env'] === 'string');
  return ok({ entries: list, next, more });
}

export async function putBackup(f: RelayFetch, session: string, version: number, blob: Uint8Array): Promise<Result<void>> {
  const init: RequestInit = {
    method: 'PUT',
    headers: { authorization: `Bearer ${session}`, 'x-kith-backup-version': String(version), 'content-type': 'application/octet-stream' },
    body: blob as unknown as BodyInit,
  };
  return call(f, '/v1/backup', init, () => undefined);
}

export async function getBackup(f: RelayFetch, username: string): Promise<Result<Uint8Array>> {
  return call(f, `/v1/accounts/${encodeURIComponent(username)}/backup`, undefined, async (res) => new Uint8Array(await res.arrayBuffer()));
}

export async function putBlob(f: RelayFetch, session: string, id: string, bytes: Uint8Array): Promise<Result<void>> {
  const init: RequestInit = { method: 'PUT', headers: { authorization: `Bearer ${session}`, 'content-type': 'application/octet-stream' }, body: bytes as unknown as BodyInit };
  return call(f, `/v1/blobs/${id}`, init, () => undefined);
}

export async function getBlob(f: RelayFetch, session: string, id: string): Promise<Result<Uint8Array>> {
  return call(f, `/v1/blobs/${id}`, { headers: { authorization: `Bearer ${session}` } }, async (res) => new Uint8Array(await res.arrayBuffer()));
}
