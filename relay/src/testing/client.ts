import { createHash } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { authSigningBytes, capabilitySigningBytes, registerSigningBytes } from '@kith/core';
import { encodeHex } from '@kith/core/protocol';
import type { TestIdentity } from './identity.js';

/** `app.request` or a real `fetch` against a base URL. */
export type RelayFetch = (path: string, init?: RequestInit) => Promise<Response>;

const hex = encodeHex;
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export function registrationBody(id: TestIdentity, username: string): unknown {
  const signature = sodium.crypto_sign_detached(registerSigningBytes(username, id.signPublic, id.boxPublic), id.signSecret);
  return { v: 1, username, signKey: hex(id.signPublic), boxKey: hex(id.boxPublic), signature: hex(signature), identity: hex(id.publicIdentity) };
}

/** Registers `username` (201 or 409 if it exists already) and returns a fresh session token. */
export async function registerAndLogin(f: RelayFetch, id: TestIdentity, username: string): Promise<string> {
  const reg = await f('/v1/accounts', json(registrationBody(id, username)));
  if (reg.status !== 201 && reg.status !== 409) throw new Error(`register failed: ${reg.status}`);
  return login(f, id);
}

export async function login(f: RelayFetch, id: TestIdentity): Promise<string> {
  const ch = (await (await f('/v1/auth/challenge', json({ user: id.userId }))).json()) as { nonce: string };
  const sig = sodium.crypto_sign_detached(authSigningBytes(sodium.from_hex(ch.nonce), id.userId, id.device), id.signSecret);
  const res = await f('/v1/auth/session', json({ user: id.userId, device: id.device, nonce: ch.nonce, signature: hex(sig) }));
  if (res.status !== 201) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(text).digest());
}

/** Signs and stores a capability record: `readToken` (and `writeToken`) become the scope's tokens. */
export async function grantCapability(
  f: RelayFetch,
  token: string,
  signer: TestIdentity,
  g: { scope: string; version?: number; readToken: string; writeToken?: string; controllers?: Uint8Array[]; peer?: string },
): Promise<Response> {
  const version = g.version ?? 1;
  const readHash = sha256(g.readToken);
  const writeHash = g.writeToken === undefined ? undefined : sha256(g.writeToken);
  const controllers = g.controllers ?? [signer.signPublic];
  const grant = writeHash === undefined ? { scope: g.scope, version, readHash, controllers } : { scope: g.scope, version, readHash, writeHash, controllers };
  const signature = sodium.crypto_sign_detached(capabilitySigningBytes(grant), signer.signSecret);
  const body = {
    v: 1,
    scope: g.scope,
    version,
    readHash: hex(readHash),
    ...(writeHash === undefined ? {} : { writeHash: hex(writeHash) }),
    controllers: controllers.map(hex),
    signer: hex(signer.signPublic),
    signature: hex(signature),
    ...(g.peer === undefined ? {} : { peer: g.peer }),
  };
  return f('/v1/caps', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
}
