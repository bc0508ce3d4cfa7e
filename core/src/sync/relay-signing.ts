/**
 * Canonical bytes a client signs for the relay's HTTP API. They must equal
 * relay/src/protocol/signing.ts byte for byte (a test checks it); kept here because core
 * cannot import the relay package.
 */
const enc = new TextEncoder();
const ZERO = new Uint8Array([0]);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u64(v: number): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, Math.floor(v / 2 ** 32));
  dv.setUint32(4, v % 2 ** 32);
  return b;
}

export function registerSigningBytes(username: string, signKey: Uint8Array, boxKey: Uint8Array): Uint8Array {
  return concat([enc.encode('kith/v1/relay-register\0'), enc.encode(username), ZERO, signKey, boxKey]);
}

export function authSigningBytes(nonce: Uint8Array, user: string, device: string): Uint8Array {
  return concat([enc.encode('kith/v1/relay-auth\0'), nonce, enc.encode(user), ZERO, enc.encode(device)]);
}

export interface CapabilityGrant {
  readonly scope: string;
  readonly version: number;
  readonly readHash: Uint8Array;
  readonly writeHash?: Uint8Array;
  readonly controllers: readonly Uint8Array[];
}

export function capabilitySigningBytes(g: CapabilityGrant): Uint8Array {
  return concat([
    enc.encode('kith/v1/relay-cap\0'),
    enc.encode(g.scope),
    ZERO,
    u64(g.version),
    g.readHash,
    g.writeHash ?? new Uint8Array(32),
    new Uint8Array([g.controllers.length]),
    ...g.controllers,
  ]);
}

/** The capability scope of a document (relay CAP-1). */
export function capabilityScopeOf(doc: string): string {
  const parts = doc.split(':');
  if ((parts[0] === 'feed' || parts[0] === 'members') && parts[1] !== undefined) return `conv:${parts[1]}`;
  return doc;
}
