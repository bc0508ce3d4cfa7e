import { KithError, assert, fail, ok, type Result } from '../errors.js';
import { formatUuid, parseConversationId, parseDocId, parseUserId, toHex, uuidToBytes, type ConversationId, type DocId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import { ByteReader, ByteWriter } from '../protocol/bytes.js';
import { decodeHex } from '../protocol/hex.js';
import { decodeEnvelope, type EnvelopeHeader } from '../protocol/envelope.js';
import type { Authorize } from './authorize.js';
import type { CounterTracker } from './counter-tracker.js';
import { counterStream, verifyEnvelope } from './envelope-open.js';
import { signEnvelope } from './envelope-seal.js';
import { deviceIdFromBytes, deviceIdToBytes, type Identity, type PublicIdentity } from './identity.js';
import { epochKeyHash, MAX_EPOCH, type Keyring } from './keyring.js';
import { SecretKey, bytesEqual, utf8 } from './secret-key.js';

/**
 * Key envelopes (KEY-3, docs/PROTOCOL.md § Keys): an admin-signed `key` envelope on the document
 * `keys:<conv>` that hands the key of a new epoch to each recipient in a sealed box to their
 * X25519 key. The body is public (the relay routes by recipient) and signed; the nonce is 24 zero
 * bytes. The sealed plaintext repeats conversation, recipient, epoch and key, so a box copied
 * into another envelope, conversation, epoch or recipient's entry is refused (KEY-4).
 */
export const MAX_RECIPIENTS = 1024;
const BOX_PREFIX = utf8('kith/v1/epochkey\0');
const ZERO_NONCE = new Uint8Array(24);

export interface KeyGrant {
  readonly recipient: PublicIdentity;
  /** Roster keys of earlier epochs (a joiner verifies the membership log with them). */
  readonly rosterKeys?: ReadonlyArray<{ epoch: number; key: SecretKey }>;
  /** Full keys of earlier epochs an admin shares explicitly (history for a joiner). */
  readonly sharedKeys?: ReadonlyArray<{ epoch: number; key: SecretKey }>;
}

export interface KeyDistribution {
  readonly conversation: ConversationId;
  readonly epoch: number;
  readonly key: SecretKey;
  /** `MembershipState.removals` this epoch was created for. */
  readonly removals: number;
  readonly counter: number;
  readonly grants: readonly KeyGrant[];
}

export interface OpenedKeyEnvelope {
  readonly conversation: ConversationId;
  readonly epoch: number;
  readonly keyHash: string;
  readonly removals: number;
  readonly author: UserId;
  readonly recipients: readonly UserId[];
  readonly key: SecretKey;
  readonly rosterKeys: ReadonlyArray<{ epoch: number; key: SecretKey }>;
  readonly sharedKeys: ReadonlyArray<{ epoch: number; key: SecretKey }>;
}

/** An epoch key hash (64 hex chars, `epochKeyHash`) as its 32 bytes. */
function keyHashBytes(hash: string): Uint8Array {
  const b = decodeHex(hash, 32);
  assert(b !== undefined, 'an epoch key hash is 32 bytes of hex');
  return b;
}

export function keysDocId(conversation: ConversationId): DocId {
  return parseDocId(`keys:${conversation}`);
}

function encodeBoxPlaintext(d: KeyDistribution, recipient: UserId, g: KeyGrant): Uint8Array {
  const w = new ByteWriter(256).raw(BOX_PREFIX).raw(uuidToBytes(d.conversation)).raw(uuidToBytes(recipient)).u32(d.epoch).raw(d.key.expose());
  for (const list of [g.rosterKeys ?? [], g.sharedKeys ?? []]) {
    w.u16(list.length);
    for (const k of list) w.u32(k.epoch).raw(k.key.expose());
  }
  return w.finish();
}

/** Builds and signs a key envelope. The identity must be an admin (receivers check it, AUTH-3). */
export function sealKeyEnvelope(crypto: CryptoPort, d: KeyDistribution, identity: Identity): Uint8Array {
  if (d.key.length !== 32) throw new KithError('invalid_argument', 'epoch key must be 32 bytes');
  if (d.grants.length === 0 || d.grants.length > MAX_RECIPIENTS) throw new KithError('invalid_argument', '1..1024 recipients');
  if (!Number.isSafeInteger(d.epoch) || d.epoch < 0 || d.epoch > MAX_EPOCH) throw new KithError('invalid_argument', 'epoch out of range');
  if (!Number.isSafeInteger(d.removals) || d.removals < 0 || d.removals > 0xffff_ffff) throw new KithError('invalid_argument', 'removals out of range');
  const body = new ByteWriter(64 + d.grants.length * 180).u8(1).u32(d.removals).raw(keyHashBytes(epochKeyHash(crypto, d.key)));
  body.u16(d.grants.length);
  for (const g of d.grants) {
    const box = crypto.sealBox(encodeBoxPlaintext(d, g.recipient.userId, g), g.recipient.boxKey);
    body.raw(uuidToBytes(g.recipient.userId)).bytes32(box);
  }
  const header: EnvelopeHeader = {
    version: 1,
    kind: 'key',
    doc: keysDocId(d.conversation),
    epoch: d.epoch,
    author: identity.public.signingKey,
    device: deviceIdToBytes(identity.device),
    counter: d.counter,
  };
  return signEnvelope(identity, header, ZERO_NONCE, body.finish());
}

function readKeyList(r: ByteReader): Array<{ epoch: number; key: SecretKey }> {
  const n = r.u16('key count');
  const out: Array<{ epoch: number; key: SecretKey }> = [];
  for (let i = 0; i < n; i++) out.push({ epoch: r.u32('epoch'), key: new SecretKey(r.raw(32, 'key')) });
  return out;
}

/**
 * Opens the entry of a key envelope addressed to `identity`. Order: structure, kind and document,
 * zero nonce, signature, `authorize` (an admin of the conversation, AUTH-3), an entry for me,
 * the sealed box, its plaintext naming this conversation, me and this epoch, the key matching
 * the signed commitment, then the counter. Codes: `malformed`, `unauthorized`, `bad_signature`,
 * `not_an_admin`, `not_found` (no entry for me), `decrypt_failed`, `replay`.
 */
export function openKeyEnvelope(
  crypto: CryptoPort,
  bytes: Uint8Array,
  ctx: { identity: Identity; authorize: Authorize; counters: CounterTracker },
): Result<OpenedKeyEnvelope> {
  const decoded = decodeEnvelope(bytes, 1024 * 1024);
  if (!decoded.ok) return decoded;
  const e = decoded.value;
  if (e.kind !== 'key' || !e.doc.startsWith('keys:')) return fail('unauthorized', 'not a key envelope');
  if (!bytesEqual(e.nonce, ZERO_NONCE)) return fail('malformed', 'key envelope nonce must be zero');
  const author = verifyEnvelope(crypto, e);
  if (!author.ok) return author;
  const device = deviceIdFromBytes(e.device);
  if (!device.ok) return device;
  const allowed = ctx.authorize({ doc: e.doc, kind: 'key', author: author.value, device: device.value, counter: e.counter, epoch: e.epoch });
  if (!allowed.ok) return allowed;
  try {
    const conversation = parseConversationId(e.doc.slice('keys:'.length));
    const r = new ByteReader(e.body);
    if (r.u8('version') !== 1) return fail('unsupported_version', 'key envelope body version');
    const removals = r.u32('removals');
    const keyHash = toHex(r.raw(32, 'key hash'));
    const count = r.u16('recipient count');
    if (count === 0 || count > MAX_RECIPIENTS) return fail('malformed', 'recipient count out of range');
    const recipients: UserId[] = [];
    let mine: Uint8Array | null = null;
    for (let i = 0; i < count; i++) {
      const user = parseUserId(formatUuid(r.raw(16, 'recipient')));
      const box = r.bytes32(4096, 'sealed box');
      recipients.push(user);
      if (user === ctx.identity.userId) mine = box;
    }
    r.expectEnd('key envelope body');
    if (new Set(recipients).size !== recipients.length) return fail('malformed', 'duplicate recipient');
    if (mine === null) return fail('not_found', 'no key for this identity in the envelope');
    const plain = ctx.identity.openSealedBox(mine);
    if (plain === null) return fail('decrypt_failed', 'sealed box does not open');
    const p = new ByteReader(plain);
    if (!bytesEqual(p.raw(BOX_PREFIX.length, 'prefix'), BOX_PREFIX)) return fail('malformed', 'sealed box prefix');
    const boxConv = formatUuid(p.raw(16, 'conversation'));
    const boxRecipient = formatUuid(p.raw(16, 'recipient'));
    const boxEpoch = p.u32('epoch');
    const key = new SecretKey(p.raw(32, 'key'));
    const rosterKeys = readKeyList(p);
    const sharedKeys = readKeyList(p);
    p.expectEnd('sealed key');
    if (boxConv !== conversation || boxRecipient !== ctx.identity.userId || boxEpoch !== e.epoch) {
      return fail('unauthorized', 'sealed key was made for another conversation, recipient or epoch');
    }
    if (epochKeyHash(crypto, key) !== keyHash) return fail('unauthorized', 'key does not match its commitment');
    const stream = counterStream(e);
    const digest = toHex(e.signature.subarray(0, 16));
    const counter = ctx.counters.check(stream, e.counter, digest);
    if (!counter.ok) return counter;
    ctx.counters.record(stream, e.counter, digest);
    return ok({ conversation, epoch: e.epoch, keyHash, removals, author: author.value, recipients, key, rosterKeys, sharedKeys });
  } catch (error) {
    if (error instanceof KithError) return { ok: false, error };
    return fail('malformed', 'key envelope could not be decoded', error);
  }
}

/**
 * Stores an opened key envelope's keys in the keyring (roster keys, epoch key, shared keys), C2:
 * - roster and shared keys only for epochs BELOW the envelope's epoch (they describe history);
 *   shared keys are marked `historical` (opening only, never the sending key);
 * - `provisional` (the conversation's membership log is not known yet): the epoch key opens
 *   envelopes but is not sent under until `keyring.revalidate(scope, state)` finds its creator
 *   a current admin of that state.
 * Whether the epoch key may be the sending key is decided by the keyring (`revalidate`).
 */
export function applyKeyEnvelope(keyring: Keyring, opened: OpenedKeyEnvelope, receivedAt: number, options: { provisional?: boolean } = {}): void {
  const scope = opened.conversation;
  for (const r of opened.rosterKeys) if (r.epoch < opened.epoch) keyring.addRosterKey(scope, r.epoch, r.key);
  keyring.addEpochKey(
    {
      scope,
      epoch: opened.epoch,
      removals: opened.removals,
      createdAt: receivedAt,
      createdBy: opened.author,
      recipients: opened.recipients,
      ...(options.provisional === true ? { provisional: true } : {}),
    },
    opened.key,
  );
  for (const s of opened.sharedKeys) {
    if (s.epoch >= opened.epoch) continue;
    keyring.addEpochKey({ scope, epoch: s.epoch, removals: 0, createdAt: receivedAt, createdBy: opened.author, recipients: [], historical: true }, s.key);
  }
}


