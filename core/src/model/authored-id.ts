import { blake2b } from '@noble/hashes/blake2.js';
import type { UserId } from '../ids.js';
import { createUuidV7, isUuid, uuidToBytes } from '../ids.js';
import { encodeHex } from '../protocol/hex.js';

/**
 * Ids bound to their author (docs/PROTOCOL.md ID-1, ADR 0016). A record others point at — a
 * message, a call, a screen share — is keyed by a UUIDv7 whose last 48 bits are a tag:
 * `BLAKE2b-256("kith/v1/authored-id" ‖ 0x00 ‖ author (16 bytes) ‖ id bytes 0..9)[0..5]`.
 * Bytes 0..9 hold the time, the HLC counter, the variant and 14 random bits. A record keyed by
 * an id that does not bind to the author of the feed it is in is ignored on every device, so a
 * member cannot write a record under another member's id: replies, reactions, receipts and
 * edits address exactly one record.
 */
export const AUTHORED_TAG_BYTES = 6;
const DOMAIN = new TextEncoder().encode('kith/v1/authored-id');

function tag(author: Uint8Array, head: Uint8Array): Uint8Array {
  const msg = new Uint8Array(DOMAIN.length + 1 + 16 + 10);
  msg.set(DOMAIN, 0);
  msg.set(author, DOMAIN.length + 1);
  msg.set(head.subarray(0, 10), DOMAIN.length + 17);
  return blake2b(msg, { dkLen: 32 }).subarray(0, AUTHORED_TAG_BYTES);
}

/** A UUIDv7 of (`ms`, `counter`, 14 bits of `random`) bound to `author` (ID-1). */
export function createAuthoredId(author: UserId, ms: number, counter: number, random: Uint8Array): string {
  const base = createUuidV7(ms, counter, random);
  // Bytes 0..9 are the first four groups ("xxxxxxxx-xxxx-xxxx-xxxx-"); the last group is the tag.
  return base.slice(0, 24) + encodeHex(tag(uuidToBytes(author), uuidToBytes(base)));
}

const bound = new Map<string, boolean>();
/** Whether `id` is a UUIDv7 bound to `author` (ID-1). Pure; memoised (bounded). */
export function isAuthoredBy(id: string, author: string): boolean {
  if (!isUuid(id) || id[14] !== '7' || !isUuid(author)) return false;
  const key = `${author}|${id}`;
  const hit = bound.get(key);
  if (hit !== undefined) return hit;
  let value: boolean;
  try {
    value = encodeHex(tag(uuidToBytes(author), uuidToBytes(id))) === id.slice(24);
  } catch {
    value = false; // not the canonical lowercase spelling: binds to no one
  }
  if (bound.size >= 8192) bound.delete(bound.keys().next().value as string);
  bound.set(key, value);
  return value;
}
