import { blake2b } from '@noble/hashes/blake2.js';
import { KithError } from './errors.js';
import { decodeHex, encodeHex } from './protocol/hex.js';

/**
 * Typed identifiers. Every id that crosses a boundary (wire, disk, app call) goes through a
 * `parse*` function; inside the engine the brand keeps them from being mixed up.
 *
 * All entity ids are lowercase canonical UUID strings, so they map 1:1 onto the `uuid` columns
 * of docs/schema.sql:
 * - message, call, attachment ids: UUIDv7 created offline (time-ordered);
 * - group conversation ids: UUIDv8 bound to the creator and creation time
 *   (`groupConversationId`, membership rule MEM-0), so nobody else can claim to have created it;
 * - user ids: UUIDv8 derived from the account's signing public key (see crypto);
 * - one-to-one conversation ids: UUIDv8 derived from the sorted pair of user ids, so both
 *   sides compute the same id even when they start the chat concurrently offline.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<string, 'UserId'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type ConversationId = Brand<string, 'ConversationId'>;
export type MessageId = Brand<string, 'MessageId'>;
export type CallId = Brand<string, 'CallId'>;
export type AttachmentId = Brand<string, 'AttachmentId'>;
/** A content address of an encrypted blob: lowercase hex BLAKE2b-256 of the ciphertext. */
export type BlobId = Brand<string, 'BlobId'>;
/** A CRDT document or signed log, as named in docs/PROTOCOL.md (e.g. `feed:<conv>:<author>:<n>`). */
export type DocId = Brand<string, 'DocId'>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
const DOC_RE = /^[a-z]{2,12}(:[0-9a-f-]{1,64}){1,4}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

function parseUuidAs<T extends string>(kind: string, value: unknown): T {
  if (!isUuid(value)) throw new KithError('invalid_id', `${kind} must be a lowercase UUID`);
  return value as T;
}

export const parseUserId = (v: unknown): UserId => parseUuidAs<UserId>('user id', v);
export const parseDeviceId = (v: unknown): DeviceId => parseUuidAs<DeviceId>('device id', v);
export const parseConversationId = (v: unknown): ConversationId =>
  parseUuidAs<ConversationId>('conversation id', v);
export const parseMessageId = (v: unknown): MessageId => parseUuidAs<MessageId>('message id', v);
export const parseCallId = (v: unknown): CallId => parseUuidAs<CallId>('call id', v);
export const parseAttachmentId = (v: unknown): AttachmentId =>
  parseUuidAs<AttachmentId>('attachment id', v);

export function parseBlobId(value: unknown): BlobId {
  if (typeof value !== 'string' || !HEX64_RE.test(value)) {
    throw new KithError('invalid_id', 'blob id must be 64 lowercase hex characters');
  }
  return value as BlobId;
}

export function parseDocId(value: unknown): DocId {
  if (typeof value !== 'string' || value.length > 200 || !DOC_RE.test(value)) {
    throw new KithError('invalid_id', 'malformed document id');
  }
  return value as DocId;
}

/** The first 16 bytes of `b` in the UUID text layout (8-4-4-4-12 lowercase hex); no bits set. */
export function formatUuid(b: Uint8Array): string {
  const h = encodeHex(b.subarray(0, 16));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The 16 bytes of a canonical UUID text; `invalid_id` for anything else (never garbage bytes). */
export function uuidToBytes(id: string): Uint8Array {
  const b = UUID_RE.test(id) ? decodeHex(id.replace(/-/g, ''), 16) : undefined;
  if (b === undefined) throw new KithError('invalid_id', 'not a canonical UUID');
  return b;
}

/**
 * A UUIDv7: 48-bit millisecond timestamp, 12-bit `counter` (rand_a, used by the hybrid logical
 * clock to order ids created within one millisecond) and 62 random bits. Ids created by one
 * clock sort in creation order; ids from different devices sort by time, then randomly but
 * deterministically.
 */
export function createUuidV7(ms: number, counter: number, random: Uint8Array): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError('ms out of range');
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xfff) throw new RangeError('counter out of range');
  if (random.length < 8) throw new RangeError('need 8 random bytes');
  const b = new Uint8Array(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b.set(random.subarray(0, 8), 8);
  b[8] = (b[8]! & 0x3f) | 0x80;
  return formatUuid(b);
}

/** The millisecond timestamp of a UUIDv7 (0 for other versions). */
export function uuidV7Time(id: string): number {
  if (id[14] !== '7') return 0;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** A UUIDv8 whose 122 free bits come from BLAKE2b-256(domain ‖ 0x00 ‖ input). */
export function deriveUuid(domain: string, input: Uint8Array): string {
  const d = new TextEncoder().encode(domain);
  const msg = new Uint8Array(d.length + 1 + input.length);
  msg.set(d, 0);
  msg.set(input, d.length + 1);
  const h = blake2b(msg, { dkLen: 32 });
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  return formatUuid(h);
}

/** The user id bound to an account's Ed25519 signing public key. */
/**
 * A small memo for the pure id derivations on the receive path (a BLAKE2b hash each; one or two
 * per received change): bounded, the oldest entry leaves first.
 */
function memo<V>(limit: number): (key: string, compute: () => V) => V {
  const cache = new Map<string, V>();
  return (key, compute) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
    return value;
  };
}
const userIds = memo<UserId>(4096);
const directIds = memo<ConversationId>(4096);

export function deriveUserId(signingPublicKey: Uint8Array): UserId {
  if (signingPublicKey.length !== 32) throw new KithError('invalid_argument', 'signing key must be 32 bytes');
  return userIds(encodeHex(signingPublicKey), () => deriveUuid('kith/user/v1', signingPublicKey) as UserId);
}

/** The one and only one-to-one conversation between two users, whoever starts it. */
export function directConversationId(a: UserId, b: UserId): ConversationId {
  if (a === b) throw new KithError('invalid_argument', 'a direct conversation needs two different users');
  const [x, y] = a < b ? [a, b] : [b, a];
  const key = `${x}|${y}`;
  return directIds(key, () => deriveUuid('kith/direct/v1', new TextEncoder().encode(key)) as ConversationId);
}

export { encodeHex as toHex };
