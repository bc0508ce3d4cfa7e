import type { ContactStatus, RequestState } from '../model/contact.js';

/**
 * Row types of the projection: one interface per table of docs/schema.sql, fields in
 * camelCase, times in milliseconds since the epoch, SQL NULL as `null`. Ids are the UUID
 * strings of the engine; lexicographic order of UUIDv7 ids is their time order (schema.sql
 * § messages), which is what the `[conversationId+id]` keyset relies on.
 */
export interface UsersRow {
  id: string;
  username: string;
  displayName: string;
  about: string;
  avatar: string | null;
}

/** The viewer's side of a contact relationship (schema.sql contacts + the derived relationship). */
export interface ContactsRow {
  ownerId: string;
  contactId: string;
  /** Derived from both stances and the block (contact_list `relationship`). */
  status: ContactStatus;
  blocked: boolean;
  /** schema.sql contacts.blocked_at: when the viewer blocked them (null when not blocked). */
  blockedAt: number | null;
}

/**
 * schema.sql contact_requests: one direction's stance (`contact:<from>:<to>`), for each contact
 * of the viewer (a relationship that derives to 'none' and is not blocked keeps no rows).
 */
export interface ContactRequestsRow {
  fromId: string;
  toId: string;
  stance: RequestState;
  /** The writer's time (ms) of the stance. */
  updatedAt: number;
}

/** 0: no longer a member (hidden), 1: archived, 2: in the chat list. */
export type Shelf = 0 | 1 | 2;

/**
 * schema.sql conversations + groups, plus the chat-list summary the viewer needs (last visible
 * message and unread count), maintained with the messages so the chat list reads one index.
 */
export interface ConversationsRow {
  id: string;
  kind: 'direct' | 'group';
  /** Direct only: the other person. */
  peerId: string | null;
  /** Group name ('' for a direct conversation: its title is the peer's profile). */
  name: string;
  description: string;
  creatorId: string | null;
  /** Groups: the `create` op's time; direct: when the viewer opened it (0 when the viewer never
   *  opened it and only received, or opened it before the engine recorded that time). */
  createdAt: number;
  shelf: Shelf;
  /** 1 when pinned (IndexedDB cannot index booleans). */
  pinned: 0 | 1;
  /** The viewer's mute (copied from conversationStates so the chat list reads one table). */
  mutedUntil: number | null;
  lastActivity: number;
  lastMessageId: string | null;
  lastSenderId: string | null;
  lastBody: string | null;
  lastDeleted: boolean;
  unread: number;
  /** The id `unread` counts above (max of the viewer's read watermark and clearedUpTo). */
  unreadFloor: string | null;
}

/** schema.sql conversation_members: one row per membership period. */
export interface ParticipantsRow {
  conversationId: string;
  userId: string;
  joinedAt: number;
  role: 'admin' | 'member';
  /** null: the creator, or a direct pair. */
  addedBy: string | null;
  leftAt: number | null;
}

/** schema.sql conversation_user_state (only the viewer's own rows exist on a device). */
export interface ConversationStatesRow {
  userId: string;
  conversationId: string;
  pinned: boolean;
  archived: boolean;
  mutedUntil: number | null;
  clearedUpTo: string | null;
}

export interface MessagesRow {
  id: string;
  conversationId: string;
  senderId: string;
  /** null: deleted, or attachment-only. */
  body: string | null;
  replyToId: string | null;
  forwarded: boolean;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  attachments: number;
}

/** schema.sql message_attachments (the blob key stays in the engine: `keySlot` names it). */
export interface AttachmentsRow {
  id: string;
  messageId: string;
  conversationId: string;
  position: number;
  blobId: string;
  keySlot: number;
  hashAlg: 'sha256' | 'blake2b';
  contentHash: string;
  mimeType: string;
  sizeBytes: number;
  fileName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  createdAt: number;
}

export interface ReactionsRow {
  messageId: string;
  userId: string;
  conversationId: string;
  emoji: string;
  /** When the reaction was made (the time of its HLC id). */
  reactedAt: number;
}

/** schema.sql member_watermarks (the view): a member's watermark, the max over their devices. */
export interface ReceiptsRow {
  conversationId: string;
  userId: string;
  deliveredUpTo: string | null;
  readUpTo: string | null;
}

/** schema.sql receipt_watermarks: one device's watermark (the highest it wrote). */
export interface DeviceReceiptsRow {
  conversationId: string;
  userId: string;
  deviceId: string;
  deliveredUpTo: string;
  readUpTo: string | null;
}

export interface CallsRow {
  id: string;
  conversationId: string;
  callerId: string;
  kind: 'voice' | 'video';
  state: 'initiated' | 'ringing' | 'ongoing' | 'completed' | 'missed' | 'declined';
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: string | null;
}

export interface CallParticipantsRow {
  callId: string;
  userId: string;
  state: 'ringing' | 'joined' | 'declined' | 'missed' | 'left';
  joinedAt: number | null;
  leftAt: number | null;
}

export interface ScreenSharesRow {
  id: string;
  callId: string;
  sharerId: string;
  startedAt: number;
  endedAt: number | null;
}

/**
 * The message search index (ADR 0028): one row per message with text, listing the distinct
 * tokens of its current text (folded word prefixes, search-text.ts) as multi-entry keys that
 * carry the message id, so one index range is one token's messages in time order. Local only,
 * like every projection row.
 */
export interface SearchIndexRow {
  messageId: string;
  conversationId: string;
  /** `token \u0001 packId(messageId)` for each token (index *global: every conversation). */
  global: string[];
  /** `packId(conversationId) \u0001 token \u0001 packId(messageId)` (index *local: one conversation). */
  local: string[];
}

export interface MetaRow {
  key: string;
  value: string | number | boolean | null;
}
