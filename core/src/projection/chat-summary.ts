import type { ConversationsRow, MessagesRow } from './projection-rows.js';
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
  unreadFloor: null,
} satisfies Partial<ConversationsRow>;
export type ChatSummary = Pick<ConversationsRow, keyof typeof SUMMARY_DEFAULTS>;

/**
 * The viewer's summary of one conversation, as chat_list in docs/schema.sql computes it: the
 * last message after the viewer's `clearedUpTo`, and the others' undeleted messages after both
 * the viewer's read watermark and `clearedUpTo`. Reads index messages[conversationId+id]:
 * one step back from the top for the last message, and only the unread range for the count
 * (cost grows with what is unread, not with the history). Call inside a transaction.
 */
/** Messages a batch wrote to a conversation whose floor (read watermark, cleared) did not move. */
export interface UnreadDelta {
  readonly previousUnread: number;
  /** The floor `previousUnread` was counted above; a different floor means a recount. */
  readonly previousFloor: string | null;
  /** Each written message with the row it replaced (undefined when new), or with undefined when retracted. */
  readonly changes: ReadonlyArray<readonly [MessagesRow | undefined, MessagesRow | undefined]>;
}

export async function summarizeConversation(
  db: ProjectionDb,
  viewer: string,
  row: ConversationsRow,
  delta: UnreadDelta | null = null,
): Promise<ChatSummary> {
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
  const counts = (m: MessagesRow | undefined): number =>
    m !== undefined && m.senderId !== viewer && m.deletedAt === null && (floor === null || m.id > floor) ? 1 : 0;
  // With an unchanged floor the count moves by what the batch wrote (new messages, deletions):
  // a flush costs its own messages, not the unread backlog. Otherwise recount the unread range
  // in one bulk read (a filtered Dexie count walks a cursor row by row, ~100× slower on
  // fake-indexeddb: 12 s for 2,000 unread).
  const unread =
    delta !== null && delta.previousFloor === floor
      ? delta.changes.reduce((n, [before, after]) => n + counts(after) - counts(before), delta.previousUnread)
      : (await range(floor).toArray()).filter((m) => counts(m) === 1).length;
  return {
    lastActivity: last?.createdAt ?? row.createdAt,
    lastMessageId: last?.id ?? null,
    lastSenderId: last?.senderId ?? null,
    lastBody: last?.body ?? null,
    lastDeleted: last === undefined ? false : last.deletedAt !== null,
    unread,
    unreadFloor: floor,
  };
}
