import type { CallId, ConversationId, MessageId, UserId } from '../ids.js';
import type { Kith } from '../kith.js';
import type { Message } from '../model/message.js';
import type { ParticipantsRow } from './projection-rows.js';
import type { RowBatch } from './row-batch.js';
import {
  attachmentRows,
  callRows,
  contactRequestRow,
  contactRow,
  deviceReceiptRows,
  directParticipantRow,
  messageRow,
  participantRow,
  reactionRows,
  receiptRow,
  stateRow,
  userRow,
} from './row-mappers.js';

/**
 * Reads what the projection needs from the engine's public API into a batch. Every function
 * reads one entity and the rows that hang off it; they throw what the engine throws (a
 * conversation it does not know), and the caller counts and skips.
 */

export function readUser(b: RowBatch, kith: Kith, user: UserId): void {
  const p = kith.profile.get(user);
  // A profile not received yet has no username; it cannot be a users row (schema.sql: NOT NULL, format).
  if (p.username !== '') b.users.set(user, userRow(p));
}

export function readContact(b: RowBatch, kith: Kith, user: UserId): void {
  const c = kith.contacts.get(user);
  // No relationship and no block: not a contact (as `contacts.list()` says), so no rows.
  const none = c.status === 'none' && !c.blocked;
  b.contacts.set(user, none ? null : contactRow(kith.user, c));
  b.contactRequests.set(`${kith.user}|${user}`, none ? null : contactRequestRow(kith.user, user, c.mine));
  b.contactRequests.set(`${user}|${kith.user}`, none ? null : contactRequestRow(user, kith.user, c.theirs));
  readUser(b, kith, user);
}

export function readReceipt(b: RowBatch, kith: Kith, conversation: ConversationId, user: UserId): void {
  b.receipts.set(`${conversation}|${user}`, receiptRow(conversation, user, kith.receipts.forMember(conversation, user)));
  b.deviceReceipts.set(`${conversation}|${user}`, deviceReceiptRows(conversation, user, kith.receipts.forDevices(conversation, user)));
  if (user === kith.user) b.summaries.add(conversation);
}

/** The conversation row (without summary), the viewer's state, members, their profiles and receipts. */
export function readConversation(b: RowBatch, kith: Kith, id: ConversationId): void {
  const c = kith.conversations.get(id);
  let participants: ParticipantsRow[];
  let name = '';
  let description = '';
  let creatorId: string | null = null;
  if (c.kind === 'group') {
    const g = kith.groups.get(id);
    name = g.name;
    description = g.description;
    creatorId = g.creator;
    participants = [...g.members, ...g.former].map((m) => participantRow(id, m));
  } else {
    participants = c.peer === null ? [] : [directParticipantRow(id, kith.user), directParticipantRow(id, c.peer)];
  }
  const member = participants.some((p) => p.userId === kith.user && p.leftAt === null);
  b.conversations.set(id, {
    id,
    kind: c.kind,
    peerId: c.peer,
    name,
    description,
    creatorId,
    // schema.sql: NOT NULL; 0 when the engine does not know (a direct chat this account never opened).
    createdAt: c.createdAt ?? 0,
    shelf: !member ? 0 : c.state.archived ? 1 : 2,
    pinned: c.state.pinned ? 1 : 0,
    mutedUntil: c.state.mutedUntil,
  });
  b.states.set(id, stateRow(kith.user, c));
  b.participants.set(id, participants);
  for (const p of participants) {
    readUser(b, kith, p.userId as UserId);
    readReceipt(b, kith, id, p.userId as UserId);
  }
}

/** A message, its attachments and reactions. */
export function readMessage(b: RowBatch, kith: Kith, m: Message): void {
  const row = messageRow(m);
  b.messages.set(m.id, row);
  b.attachments.set(m.id, attachmentRows(m));
  b.reactions.set(m.id, reactionRows(row, kith.messages.reactions(m.conversation, m.id)));
  b.summaries.add(m.conversation);
}

/** Re-reads one message (after a delete) from the engine; absent messages are skipped. */
export async function readMessageById(b: RowBatch, kith: Kith, conversation: ConversationId, id: MessageId): Promise<void> {
  const m = await kith.messages.get(conversation, id);
  if (m !== null) readMessage(b, kith, m);
}

/** One call (its rows, or a deletion when the engine no longer has it), or every call of the conversation (id null). */
export function readCall(b: RowBatch, kith: Kith, conversation: ConversationId, id: CallId | null): void {
  const calls = kith.calls.list(conversation);
  for (const call of calls) if (id === null || call.id === id) b.calls.set(call.id, callRows(call));
  // Gone: its caller's changes were retracted by a removal's cutoff (the engine emits `call`).
  if (id !== null && !calls.some((c) => c.id === id)) b.calls.set(id, null);
}

/**
 * After a membership change: the calls nobody answered, the only ones whose status depends on
 * how many members there are (`deriveCallStatus`: declined by every invitee or not).
 */
export function readUnansweredCalls(b: RowBatch, kith: Kith, conversation: ConversationId): void {
  for (const call of kith.calls.list(conversation)) if (call.participants.every((p) => p.joinedAt === null)) b.calls.set(call.id, callRows(call));
}

/** Every message of a conversation, newest page first (engine pages hold at most 500): for rebuilds only. */
export async function readAllMessages(b: RowBatch, kith: Kith, conversation: ConversationId): Promise<void> {
  let before: MessageId | undefined;
  for (;;) {
    const page = await kith.messages.page(conversation, before === undefined ? { limit: 500 } : { before, limit: 500 });
    for (const m of page) readMessage(b, kith, m);
    const oldest = page[0];
    if (oldest === undefined || page.length < 500) break;
    before = oldest.id;
  }
  b.summaries.add(conversation);
}

