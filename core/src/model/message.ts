import type { Json } from '../ports/crdt.js';
import type { ConversationId, MessageId, UserId } from '../ids.js';
import { isUuid, uuidV7Time } from '../ids.js';
import type { Attachment } from './attachment.js';
import { attachmentToJson, MAX_ATTACHMENTS, parseAttachment } from './attachment.js';
import { exceedsUtf8, isRecord, MAX_TEXT_BYTES } from './text.js';

/**
 * A message as the app sees it. Stored in the author's feed chunk, collection `msg`, keyed by
 * message id (a UUIDv7 from the hybrid logical clock); a delete-for-everyone also writes the
 * key into collection `del`, which wins over any concurrent edit (tombstones are sticky).
 */
export interface Message {
  readonly id: MessageId;
  readonly conversation: ConversationId;
  readonly author: UserId;
  /** Milliseconds since the epoch, from the id. */
  readonly sentAt: number;
  /** Empty for a deleted message. */
  readonly text: string;
  readonly replyTo: MessageId | null;
  readonly forwarded: boolean;
  readonly attachments: readonly Attachment[];
  /** HLC id of the last edit, or null. */
  readonly editedAt: string | null;
  readonly deleted: boolean;
}

/** The stored (per-entry) form of a message. */
export interface StoredMessage {
  readonly text: string;
  readonly replyTo: MessageId | null;
  readonly forwarded: boolean;
  readonly attachments: readonly Attachment[];
  readonly editedAt: string | null;
}

export const MSG = 'msg';
export const DEL = 'del';

export function storedMessageToJson(m: StoredMessage): Json {
  return {
    text: m.text,
    replyTo: m.replyTo,
    forwarded: m.forwarded,
    attachments: m.attachments.map(attachmentToJson),
    editedAt: m.editedAt,
  };
}

/** Parses an untrusted `msg` entry; `null` when invalid (the caller counts it). */
export function parseStoredMessage(key: string, value: unknown): StoredMessage | null {
  if (!isUuid(key) || key[14] !== '7' || !isRecord(value)) return null;
  const { text, replyTo, forwarded, attachments, editedAt } = value;
  if (typeof text !== 'string' || exceedsUtf8(text, MAX_TEXT_BYTES)) return null;
  if (replyTo !== null && !isUuid(replyTo)) return null;
  if (typeof forwarded !== 'boolean') return null;
  if (editedAt !== null && !isUuid(editedAt)) return null;
  if (!Array.isArray(attachments) || attachments.length > MAX_ATTACHMENTS) return null;
  const parsed: Attachment[] = [];
  for (const a of attachments) {
    const p = parseAttachment(a);
    if (p === null) return null;
    parsed.push(p);
  }
  return { text, replyTo: replyTo as MessageId | null, forwarded, attachments: parsed, editedAt };
}

export function toMessage(
  conversation: ConversationId,
  author: UserId,
  id: string,
  stored: StoredMessage,
  deleted: boolean,
): Message {
  return {
    id: id as MessageId,
    conversation,
    author,
    sentAt: uuidV7Time(id),
    text: deleted ? '' : stored.text,
    replyTo: stored.replyTo,
    forwarded: stored.forwarded,
    attachments: deleted ? [] : stored.attachments,
    editedAt: stored.editedAt,
    deleted,
  };
}
