import { concatBytes } from '@noble/hashes/utils.js';
import { encodeU64 } from './bytes.js';

/**
 * Canonical bytes that clients sign for the relay's HTTP API (docs/PROTOCOL.md § Relay API).
 * Each starts with its own domain prefix, so no signature is valid for two purposes, nor for an
 * envelope (whose prefix is `kith/v1/<kind>\0`). One definition, used by the sync client and
 * the relay.
 */
const enc = new TextEncoder();

const ZERO = new Uint8Array([0]);

/** ACC-2: proves possession of the signing key at registration. */
export function registerSigningBytes(username: string, signKey: Uint8Array, boxKey: Uint8Array): Uint8Array {
  return concatBytes(enc.encode('kith/v1/relay-register\0'), enc.encode(username), ZERO, signKey, boxKey);
}

/** SES-2: the answer to a relay challenge, bound to the user and the device the session is for. */
export function authSigningBytes(nonce: Uint8Array, user: string, device: string): Uint8Array {
  return concatBytes(enc.encode('kith/v1/relay-auth\0'), nonce, enc.encode(user), ZERO, enc.encode(device));
}

/** The fields of a capability record a controller signs (CAP-2). */
export interface CapabilityGrant {
  readonly scope: string;
  readonly version: number;
  /** SHA-256 of the read token (32 bytes). */
  readonly readHash: Uint8Array;
  /** SHA-256 of the write token, or undefined when writes need no capability. */
  readonly writeHash?: Uint8Array;
  /** Ed25519 public keys allowed to sign the next version. */
  readonly controllers: readonly Uint8Array[];
}

export function capabilitySigningBytes(g: CapabilityGrant): Uint8Array {
  return concatBytes(
    enc.encode('kith/v1/relay-cap\0'),
    enc.encode(g.scope),
    ZERO,
    encodeU64(g.version),
    g.readHash,
    g.writeHash ?? new Uint8Array(32),
    new Uint8Array([g.controllers.length]),
    ...g.controllers,
  );
}

/**
 * CAP-1: the capability scope of a document. A conversation's feed chunks, shared documents and membership log
 * share the scope `conv:<id>`; every other document (profile, account, contact pair) is its
 * own scope.
 */
export function capabilityScopeOf(doc: string): string {
  const parts = doc.split(':');
  if ((parts[0] === 'feed' || parts[0] === 'doc' || parts[0] === 'members') && parts[1] !== undefined) return `conv:${parts[1]}`;
  return doc;
}
