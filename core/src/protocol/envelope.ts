import { KithError, fail, ok, type Result } from '../errors.js';
import { parseDocId, type DocId } from '../ids.js';
import { ByteReader, ByteWriter } from './bytes.js';

/**
 * The envelope: the only unit that leaves a device. Specified byte by byte in docs/PROTOCOL.md
 * (§ Envelope, rules ENV-*). This module is pure encoding — sealing, opening and signature
 * checks live in crypto/ — so the relay can parse and verify the public header without any
 * key material.
 */
export const ENVELOPE_VERSION = 1;
/**
 * BATCH-1: version 2 carries a counter range `counter..to` of one (doc, author, device) stream;
 * its decrypted body is a change list (protocol/change-list.ts). Version 1 is a range of one.
 */
export const ENVELOPE_RANGE_VERSION = 2;
/** BATCH-2: the most changes one range may carry (`to - counter + 1`); senders use fewer. */
export const MAX_RANGE_CHANGES = 1024;

/** Envelope kinds. The numeric value is on the wire; the name is in the signature prefix. */
export const ENVELOPE_KINDS = {
  /** A CRDT change to a document (feed chunk, profile, account, contact pair). */
  update: 1,
  /** A compacted encrypted state of a document, superseding earlier updates. */
  snapshot: 2,
  /** A membership operation of a conversation's admin-signed, hash-chained log. */
  member: 3,
  /** An epoch key distribution: sealed boxes of a new epoch key for each member. */
  key: 4,
  /** An encrypted key backup (account recovery). */
  backup: 5,
} as const;

export type EnvelopeKind = keyof typeof ENVELOPE_KINDS;

const KIND_BY_CODE = new Map<number, EnvelopeKind>(
  Object.entries(ENVELOPE_KINDS).map(([k, v]) => [v, k as EnvelopeKind]),
);

export const AUTHOR_KEY_BYTES = 32;
export const DEVICE_BYTES = 16;
export const NONCE_BYTES = 24;
export const SIGNATURE_BYTES = 64;
/** Upper bound for the encrypted body of any envelope (ENV-7). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The public, authenticated-but-not-encrypted part of an envelope. */
export interface EnvelopeHeader {
  readonly version: number;
  readonly kind: EnvelopeKind;
  readonly doc: DocId;
  /** Key epoch of the document the body is encrypted under. */
  readonly epoch: number;
  /** The author's Ed25519 public key (32 bytes). */
  readonly author: Uint8Array;
  /** The author's device (16 bytes, a UUID's bytes). */
  readonly device: Uint8Array;
  /** Per (doc, author, device) counter, starting at 1, strictly increasing (ENV-5); a range's first. */
  readonly counter: number;
  /** Version 2 only (BATCH-1): the range's last counter, ≥ `counter`. Absent: `counter`. */
  readonly to?: number;
}

/** The last counter an envelope covers (BATCH-1): `to` for version 2, else `counter`. */
export function envelopeLastCounter(h: Pick<EnvelopeHeader, 'counter' | 'to'>): number {
  return h.to ?? h.counter;
}

export interface Envelope extends EnvelopeHeader {
  readonly nonce: Uint8Array;
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * The canonical header encoding. It is the AEAD associated data (ENV-3), so a body cannot be
 * moved to another document, epoch, author, counter or kind.
 */
export function encodeEnvelopeHeader(h: EnvelopeHeader): Uint8Array {
  if (h.author.length !== AUTHOR_KEY_BYTES) throw new KithError('invalid_argument', 'author key must be 32 bytes');
  if (h.device.length !== DEVICE_BYTES) throw new KithError('invalid_argument', 'device must be 16 bytes');
  if (!Number.isInteger(h.epoch) || h.epoch < 0 || h.epoch > 0xffffffff) {
    throw new KithError('invalid_argument', 'epoch out of range');
  }
  if (!Number.isSafeInteger(h.counter) || h.counter < 1) throw new KithError('invalid_argument', 'counter must be ≥ 1');
  const w = new ByteWriter(136)
    .u8(h.version)
    .u8(ENVELOPE_KINDS[h.kind])
    .str8(h.doc)
    .u32(h.epoch)
    .raw(h.author)
    .raw(h.device)
    .u64(h.counter);
  if (h.version === ENVELOPE_RANGE_VERSION) {
    const to = h.to ?? h.counter;
    if (!Number.isSafeInteger(to) || to < h.counter || to - h.counter + 1 > MAX_RANGE_CHANGES) {
      throw new KithError('invalid_argument', 'range end out of bounds');
    }
    w.u64(to);
  } else if (h.version !== ENVELOPE_VERSION || (h.to !== undefined && h.to !== h.counter)) {
    throw new KithError('invalid_argument', 'only a version 2 envelope carries a range');
  }
  return w.finish();
}

/**
 * The bytes an envelope's signature covers (ENV-4): a per-kind prefix naming the envelope's
 * version (`kith/v1/<kind>\0`, `kith/v2/<kind>\0`: BATCH-1), the header, nonce and body.
 */
export function envelopeSigningBytes(h: EnvelopeHeader, nonce: Uint8Array, body: Uint8Array): Uint8Array {
  return new ByteWriter(168 + body.length)
    .raw(new TextEncoder().encode(`kith/v${h.version}/${h.kind}\0`))
    .raw(encodeEnvelopeHeader(h))
    .raw(nonce)
    .bytes32(body)
    .finish();
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  if (e.nonce.length !== NONCE_BYTES) throw new KithError('invalid_argument', 'nonce must be 24 bytes');
  if (e.signature.length !== SIGNATURE_BYTES) throw new KithError('invalid_argument', 'signature must be 64 bytes');
  if (e.body.length > MAX_BODY_BYTES) throw new KithError('too_large', 'envelope body too large');
  return new ByteWriter(200 + e.body.length)
    .raw(encodeEnvelopeHeader(e))
    .raw(e.nonce)
    .bytes32(e.body)
    .raw(e.signature)
    .finish();
}

/**
 * Parses untrusted bytes into an envelope; never throws. Checks structure only — the
 * signature is checked by `verifyEnvelope` (crypto) and the relay.
 */
export function decodeEnvelope(bytes: Uint8Array, maxBody = MAX_BODY_BYTES): Result<Envelope> {
  try {
    if (!(bytes instanceof Uint8Array)) return fail('malformed', 'envelope must be bytes');
    const r = new ByteReader(bytes);
    const version = r.u8('version');
    if (version !== ENVELOPE_VERSION && version !== ENVELOPE_RANGE_VERSION) return fail('unsupported_version', `envelope version ${version}`);
    const kind = KIND_BY_CODE.get(r.u8('kind'));
    if (kind === undefined) return fail('malformed', 'unknown envelope kind');
    const doc = parseDocId(r.str8('doc id'));
    const epoch = r.u32('epoch');
    const author = r.raw(AUTHOR_KEY_BYTES, 'author').slice();
    const device = r.raw(DEVICE_BYTES, 'device').slice();
    const counter = r.u64('counter');
    if (counter < 1) return fail('malformed', 'counter must be ≥ 1');
    let to: number | undefined;
    if (version === ENVELOPE_RANGE_VERSION) {
      // BATCH-2: a range runs forwards and is bounded, checked before anything else is read.
      to = r.u64('range end');
      if (to < counter) return fail('malformed', 'range end before its start');
      if (to - counter + 1 > MAX_RANGE_CHANGES) return fail('too_large', `a range carries at most ${MAX_RANGE_CHANGES} changes`);
    }
    const nonce = r.raw(NONCE_BYTES, 'nonce').slice();
    const body = r.bytes32(maxBody, 'body').slice();
    const signature = r.raw(SIGNATURE_BYTES, 'signature').slice();
    r.expectEnd('envelope');
    return ok({ version, kind, doc, epoch, author, device, counter, ...(to === undefined ? {} : { to }), nonce, body, signature });
  } catch (error) {
    if (error instanceof KithError) return { ok: false, error };
    return fail('malformed', 'envelope could not be decoded', error);
  }
}
