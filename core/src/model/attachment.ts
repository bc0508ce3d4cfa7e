import type { Json } from '../ports/crdt.js';
import type { AttachmentId, BlobId } from '../ids.js';
import { KithError } from '../errors.js';
import { isUuid } from '../ids.js';
import { isBoundedString, isCount, isRecord } from './text.js';

/**
 * Attachment metadata carried in a message. The bytes live in an encrypted blob (`blob`, a
 * content address); `keySlot` names where the blob key travels (filled by the crypto layer).
 */
export interface Attachment {
  readonly id: AttachmentId;
  readonly mime: string;
  readonly size: number;
  readonly name: string;
  readonly hash: { readonly alg: 'sha256' | 'blake2b'; readonly hex: string };
  readonly keySlot: number;
  readonly blob: BlobId;
  readonly width?: number;
  readonly height?: number;
  readonly durationMs?: number;
}

export const MAX_ATTACHMENTS = 32;
const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/i;
const HEX_RE = /^[0-9a-f]{64}$/;

/** Parses untrusted attachment metadata; `null` when anything is off. */
export function parseAttachment(value: unknown): Attachment | null {
  if (!isRecord(value)) return null;
  const { id, mime, size, name, hash, keySlot, blob, width, height, durationMs } = value;
  if (!isUuid(id) || typeof mime !== 'string' || !MIME_RE.test(mime)) return null;
  if (!isCount(size) || !isBoundedString(name, 255) || !isCount(keySlot) || keySlot > 0xffff) return null;
  if (typeof blob !== 'string' || !HEX_RE.test(blob)) return null;
  if (!isRecord(hash) || (hash.alg !== 'sha256' && hash.alg !== 'blake2b')) return null;
  if (typeof hash.hex !== 'string' || !HEX_RE.test(hash.hex)) return null;
  for (const dim of [width, height, durationMs]) if (dim !== undefined && !isCount(dim)) return null;
  return {
    id: id as AttachmentId,
    mime,
    size,
    name,
    hash: { alg: hash.alg, hex: hash.hex },
    keySlot,
    blob: blob as BlobId,
    ...(typeof width === 'number' ? { width } : {}),
    ...(typeof height === 'number' ? { height } : {}),
    ...(typeof durationMs === 'number' ? { durationMs } : {}),
  };
}

/** Validates attachments from an app call (throws `invalid_argument`). */
export function expectAttachments(values: readonly unknown[] | undefined): Attachment[] {
  if (values === undefined) return [];
  if (!Array.isArray(values) || values.length > MAX_ATTACHMENTS) {
    throw new KithError('invalid_argument', `at most ${MAX_ATTACHMENTS} attachments`);
  }
  return values.map((v) => {
    const a = parseAttachment(v);
    if (a === null) throw new KithError('invalid_argument', 'malformed attachment metadata');
    return a;
  });
}

export function attachmentToJson(a: Attachment): Json {
  const out: Record<string, Json> = {
    id: a.id,
    mime: a.mime,
    size: a.size,
    name: a.name,
    hash: { alg: a.hash.alg, hex: a.hash.hex },
    keySlot: a.keySlot,
    blob: a.blob,
  };
  if (a.width !== undefined) out.width = a.width;
  if (a.height !== undefined) out.height = a.height;
  if (a.durationMs !== undefined) out.durationMs = a.durationMs;
  return out;
}
