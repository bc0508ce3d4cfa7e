import { fail, ok, type Result } from '../errors.js';
import { formatUuid, parseAttachmentId, parseBlobId, toHex, type ConversationId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Attachment } from '../model/attachment.js';
import type { Keyring } from '../crypto/keyring.js';
import { concatBytes, utf8 } from '../crypto/secret-key.js';
import { encodeU64 as u64 } from '../protocol/bytes.js';

/**
 * Attachments (SYNC-8): the file is encrypted in 64 KiB chunks with XChaCha20-Poly1305 under a
 * per-attachment key, uploaded as a content-addressed blob (id = BLAKE2b-256 of the ciphertext,
 * which the relay checks), and described in the message by the attachment metadata: `blob`,
 * `hash` (BLAKE2b-256 of the plaintext) and `keySlot` = the epoch whose key derives the
 * attachment key: `BLAKE2b-256(key = K_epoch, "kith/v1/attachment" ‖ 0 ‖ attachment id)`. Whoever
 * can read the message can fetch and open the file; a member removed before that epoch cannot.
 *
 * Layout: "KAT1" ‖ u32 chunk size ‖ 16-byte nonce prefix ‖ chunks; chunk i is sealed with nonce
 * prefix ‖ u64 i and associated data u64 i ‖ u8 last, so chunks cannot be reordered, dropped or
 * truncated at a chunk boundary without failing.
 */
export const ATTACHMENT_CHUNK = 64 * 1024;
const MAGIC = utf8('KAT1');
const TAG = 16;

export function attachmentKey(crypto: CryptoPort, epochKey: Uint8Array, attachmentId: string): Uint8Array {
  return crypto.hash(utf8(`kith/v1/attachment\0${attachmentId}`), 32, epochKey);
}

export function encryptAttachment(crypto: CryptoPort, key: Uint8Array, plain: Uint8Array, chunk = ATTACHMENT_CHUNK): Uint8Array {
  const prefix = crypto.randomBytes(16);
  const head = new Uint8Array(24);
  head.set(MAGIC, 0);
  new DataView(head.buffer).setUint32(4, chunk);
  head.set(prefix, 8);
  const parts: Uint8Array[] = [head];
  const count = Math.max(1, Math.ceil(plain.length / chunk));
  for (let i = 0; i < count; i++) {
    const last = i === count - 1 ? 1 : 0;
    const ad = concatBytes(u64(i), new Uint8Array([last]));
    parts.push(crypto.aeadEncrypt(plain.subarray(i * chunk, (i + 1) * chunk), ad, concatBytes(prefix, u64(i)), key));
  }
  return concatBytes(...parts);
}

export function decryptAttachment(crypto: CryptoPort, key: Uint8Array, sealed: Uint8Array): Result<Uint8Array> {
  if (sealed.length < 24 + TAG || toHex(sealed.subarray(0, 4)) !== toHex(MAGIC)) return fail('malformed', 'not an attachment blob');
  const chunk = new DataView(sealed.buffer, sealed.byteOffset).getUint32(4);
  if (chunk < 1024 || chunk > 16 * 1024 * 1024) return fail('malformed', 'attachment chunk size');
  const prefix = sealed.subarray(8, 24);
  const body = sealed.subarray(24);
  const step = chunk + TAG;
  const count = Math.max(1, Math.ceil(body.length / step));
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const last = i === count - 1 ? 1 : 0;
    const plain = crypto.aeadDecrypt(body.subarray(i * step, (i + 1) * step), concatBytes(u64(i), new Uint8Array([last])), concatBytes(prefix, u64(i)), key);
    if (plain === null) return fail('decrypt_failed', 'attachment chunk does not decrypt');
    out.push(plain);
  }
  return ok(concatBytes(...out));
}

export interface AttachmentInput {
  readonly bytes: Uint8Array;
  readonly mime: string;
  readonly name: string;
}

/** Encrypts a file for `conversation` under its current epoch; returns the metadata and the blob. */
export function sealAttachment(
  crypto: CryptoPort,
  keyring: Keyring,
  conversation: ConversationId,
  input: AttachmentInput,
): Result<{ attachment: Attachment; blob: Uint8Array }> {
  const current = keyring.current(conversation);
  if (current === undefined) return fail('unknown_epoch', 'no key for this conversation yet');
  const r = crypto.randomBytes(16);
  r[6] = (r[6]! & 0x0f) | 0x40;
  r[8] = (r[8]! & 0x3f) | 0x80;
  const id = parseAttachmentId(formatUuid(r));
  const key = attachmentKey(crypto, current.key.expose(), id);
  const blob = encryptAttachment(crypto, key, input.bytes);
  key.fill(0);
  const attachment: Attachment = {
    id,
    mime: input.mime,
    size: input.bytes.length,
    name: input.name,
    hash: { alg: 'blake2b', hex: toHex(crypto.hash(input.bytes, 32)) },
    keySlot: current.info.epoch,
    blob: parseBlobId(toHex(crypto.hash(blob, 32))),
  };
  return ok({ attachment, blob });
}

/** Verifies the blob's address, decrypts with any key of the epoch, verifies the plaintext hash. */
export function openAttachment(crypto: CryptoPort, keyring: Keyring, conversation: ConversationId, attachment: Attachment, blob: Uint8Array): Result<Uint8Array> {
  if (toHex(crypto.hash(blob, 32)) !== attachment.blob) return fail('malformed', 'blob does not match its address');
  for (const info of keyring.epochs(conversation).filter((e) => e.epoch === attachment.keySlot)) {
    const epochKey = keyring.epochKey(conversation, info.epoch, info.keyHash);
    if (epochKey === undefined) continue;
    const plain = decryptAttachment(crypto, attachmentKey(crypto, epochKey.expose(), attachment.id), blob);
    if (!plain.ok) continue;
    if (attachment.hash.alg !== 'blake2b' || toHex(crypto.hash(plain.value, 32)) !== attachment.hash.hex) return fail('malformed', 'attachment content does not match its hash');
    return plain;
  }
  return fail('unknown_epoch', 'no key opens this attachment');
}
