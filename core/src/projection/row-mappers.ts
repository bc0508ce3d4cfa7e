import type { Call } from '../model/call.js';
import type { Contact } from '../model/contact.js';
import type { Conversation } from '../model/conversation-state.js';
import type { MemberInfo } from '../model/membership/membership-rules.js';
import type { Message } from '../model/message.js';
import type { Profile } from '../model/profile.js';
import type { Watermark } from '../model/receipt.js';
import type { DeviceWatermark } from '../engine/feed-reader.js';
import type { ContactStance } from '../model/contact.js';
import type {
  AttachmentsRow,
  CallParticipantsRow,
  CallsRow,
  ContactRequestsRow,
  ContactsRow,
  DeviceReceiptsRow,
  ConversationStatesRow,
  MessagesRow,
  ParticipantsRow,
  ReactionsRow,
  ReceiptsRow,
  ScreenSharesRow,
  UsersRow,
} from './projection-rows.js';
import { uuidV7Time } from '../ids.js';

/**
 * Pure mappings from the engine's public model types to rows. Incremental maintenance and
 * `rebuild()` both go through these, so the two can only differ in which rows they touch.
 */

export const userRow = (p: Profile): UsersRow => ({
  id: p.user,
  username: p.username,
  displayName: p.displayName,
  about: p.about,
  avatar: p.avatar,
});

export const contactRow = (viewer: string, c: Contact): ContactsRow => ({
  ownerId: viewer,
  contactId: c.user,
  status: c.status,
  blocked: c.blocked,
  blockedAt: c.blocked ? (c.blockedAt ?? 0) : null,
});

/** One direction's stance, or null when that side wrote none. */
export const contactRequestRow = (fromId: string, toId: string, s: ContactStance | null): ContactRequestsRow | null =>
  s === null ? null : { fromId, toId, stance: s.state, updatedAt: s.at };

export const stateRow = (viewer: string, c: Conversation): ConversationStatesRow => ({
  userId: viewer,
  conversationId: c.id,
  pinned: c.state.pinned,
  archived: c.state.archived,
  mutedUntil: c.state.mutedUntil,
  clearedUpTo: c.state.clearedUpTo,
});

/** A membership period; `addedBy` is null for the creator (the log names them as their own adder). */
export const participantRow = (conversationId: string, m: MemberInfo): ParticipantsRow => ({
  conversationId,
  userId: m.user,
  joinedAt: m.joinedAt,
  role: m.role,
  addedBy: m.addedBy === m.user ? null : m.addedBy,
  leftAt: m.leftAt ?? null,
});

/** A direct conversation's members: its pair, plain members added by nobody, since time 0. */
export const directParticipantRow = (conversationId: string, userId: string): ParticipantsRow => ({
  conversationId,
  userId,
  joinedAt: 0,
  role: 'member',
  addedBy: null,
  leftAt: null,
});

export function messageRow(m: Message): MessagesRow {
  const createdAt = m.sentAt;
  // A delete writes the tombstone time into editedAt (messages-api); a deleted row keeps no edit time.
  const stamp = m.editedAt === null ? null : Math.max(uuidV7Time(m.editedAt), createdAt);
  return {
    id: m.id,
    conversationId: m.conversation,
    senderId: m.author,
    body: m.deleted || m.text === '' ? null : m.text,
    replyToId: m.replyTo,
    forwarded: m.forwarded,
    createdAt,
    editedAt: m.deleted ? null : stamp,
    deletedAt: m.deleted ? (stamp ?? createdAt) : null,
    attachments: m.deleted ? 0 : m.attachments.length,
  };
}

export function attachmentRows(m: Message): AttachmentsRow[] {
  if (m.deleted) return [];
  return m.attachments.map((a, position) => ({
    id: a.id,
    messageId: m.id,
    conversationId: m.conversation,
    position,
    blobId: a.blob,
    keySlot: a.keySlot,
    hashAlg: a.hash.alg,
    contentHash: a.hash.hex,
    mimeType: a.mime,
    sizeBytes: a.size,
    fileName: a.name === '' ? null : a.name,
    width: a.width ?? null,
    height: a.height ?? null,
    durationMs: a.durationMs ?? null,
    createdAt: m.sentAt,
  }));
}

/** Reactions of a message; none on a tombstone (schema.sql: a delete takes them with it). */
export function reactionRows(
  message: Pick<MessagesRow, 'id' | 'conversationId' | 'createdAt' | 'deletedAt'>,
  reactions: ReadonlyArray<{ readonly user: string; readonly emoji: string; readonly reactedAt: number }>,
): ReactionsRow[] {
  if (message.deletedAt !== null) return [];
  return reactions.map((r) => ({
    messageId: message.id,
    userId: r.user,
    conversationId: message.conversationId,
    emoji: r.emoji,
    reactedAt: r.reactedAt,
  }));
}

/** A member's watermark; null when they have acknowledged nothing (no row, as in schema.sql). */
export function receiptRow(conversationId: string, userId: string, w: Watermark): ReceiptsRow | null {
  if (w.delivered === null && w.read === null) return null;
  return { conversationId, userId, deliveredUpTo: w.delivered ?? w.read, readUpTo: w.read };
}

/** A member's devices' watermarks; a device that acknowledged nothing has no row. */
export function deviceReceiptRows(conversationId: string, userId: string, devices: readonly DeviceWatermark[]): DeviceReceiptsRow[] {
  const out: DeviceReceiptsRow[] = [];
  for (const d of devices) {
    const delivered = d.delivered ?? d.read;
    if (delivered !== null) out.push({ conversationId, userId, deviceId: d.device, deliveredUpTo: delivered, readUpTo: d.read });
  }
  return out;
}

export interface CallRows {
  readonly call: CallsRow;
  readonly participants: CallParticipantsRow[];
  readonly shares: ScreenSharesRow[];
}

export function callRows(c: Call): CallRows {
  let answeredAt: number | null = null;
  for (const p of c.participants) {
    if (p.joinedAt !== null && (answeredAt === null || p.joinedAt < answeredAt)) answeredAt = p.joinedAt;
  }
  return {
    call: {
      id: c.id,
      conversationId: c.conversation,
      callerId: c.caller,
      kind: c.kind,
      state: c.status,
      startedAt: c.startedAt,
      answeredAt,
      endedAt: c.endedAt,
      endReason: c.endReason,
    },
    // Ending a call records the ender as 'left' even if they never connected (the caller of an
    // unanswered call): schema.sql calls that participant 'missed' (no join, so no leave).
    participants: c.participants.map((p) =>
      p.state === 'left' && p.joinedAt === null
        ? { callId: c.id, userId: p.user, state: 'missed' as const, joinedAt: null, leftAt: null }
        : { callId: c.id, userId: p.user, state: p.state, joinedAt: p.joinedAt, leftAt: p.state === 'left' ? p.at : null },
    ),
    shares: c.screenShares.map((s) => ({ id: s.id, callId: c.id, sharerId: s.user, startedAt: s.startedAt, endedAt: s.endedAt })),
  };
}
