import type { ConversationsRow } from './projection-rows.js';
import type { ProjectionDb } from './projection-schema.js';
import { Dexie } from './dexie.js';

/** The chat-list fields of a conversation row, as kept up to date with its messages. */
export const SUMMARY_DEFAULTS = {
  lastActivity: 0,
  lastMessageId: null,
  lastSenderId: null,
  lastBody: null,
  lastDeleted: false,
  unread: 0,
} satisfies Partial<ConversationsRow>;
export type ChatSummary = Pick<ConversationsRow, keyof typeof SUMMARY_DEFAULTS>;

/**
 * The viewer's summary of one conversation, as chat_list in docs/schema.sql computes it: the
 * last message after the viewer's `clearedUpTo`, and the others' undeleted messages after both
 * the viewer's read watermark and `clearedUpTo`. Reads index messages[conversationId+id]:
 * one step back from the top for the last message, and only the unread range for the count
 * (cost grows with what is unread, not with the history). Call inside a transaction.
 */
export async function summarizeConversation(db: ProjectionDb, viewer: string, row: ConversationsRow): Promise<ChatSummary> {
  const state = await db.conversationStates.get([viewer, row.id]);
  const receipt = await db.receipts.get([row.id, viewer]);
  const cleared = state?.clearedUpTo ?? null;
  const range = (after: string | null) =>
    db.messages
      .where('[conversationId+id]')
      .between([row.id, after ?? Dexie.minKey], [row.id, Dexie.maxKey], after === null, true);
  const last = await range(cleared).last();
  const read = receipt?.readUpTo ?? null;
  const floor = read === null ? cleared : cleared === null ? read : read > cleared ? read : cleared;
  const unread = await range(floor)
    .filter((m) => m.senderId !== viewer && m.deletedAt === null)
    .count();
  return {
    lastActivity: last?.createdAt ?? row.createdAt,
    lastMessageId: last?.id ?? null,
    lastSenderId: last?.senderId ?? null,
    lastBody: last?.body ?? null,
    lastDeleted: last === undefined ? false : last.deletedAt !== null,
    unread,
  };
}
