import type { ReceiptStatus } from '../../model/receipt.js';
import type { ProjectionDb } from '../projection-schema.js';
import { usernamesOf } from './usernames.js';

export interface MessageReceiptRow {
  userId: string;
  username: string;
  status: ReceiptStatus;
}

const byName = (a: MessageReceiptRow, b: MessageReceiptRow): number =>
  a.username < b.username ? -1 : a.username > b.username ? 1 : a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;

/**
 * schema.sql `message_receipts`: every member who was in the conversation when the message
 * was sent (except its sender), with the status derived from their watermark. Reads the
 * message by primary key, the conversation's membership periods by participants.conversationId,
 * and the members' watermarks by primary key — nothing proportional to the history.
 */
export async function messageReceipts(db: ProjectionDb, messageId: string): Promise<MessageReceiptRow[]> {
  const m = await db.messages.get(messageId);
  if (m === undefined) return [];
  const periods = await db.participants.where('conversationId').equals(m.conversationId).toArray();
  const members = periods.filter(
    (p) => p.userId !== m.senderId && p.joinedAt <= m.createdAt && (p.leftAt === null || m.createdAt < p.leftAt),
  );
  const users = members.map((p) => p.userId);
  const marks = await db.receipts.bulkGet(users.map((u) => [m.conversationId, u] as [string, string]));
  const names = await usernamesOf(db, users);
  return members
    .map((p, i) => {
      const w = marks[i];
      const status: ReceiptStatus =
        w?.readUpTo != null && w.readUpTo >= m.id ? 'read' : w?.deliveredUpTo != null && w.deliveredUpTo >= m.id ? 'delivered' : 'sent';
      return { userId: p.userId, username: names.get(p.userId) ?? '', status };
    })
    .sort(byName);
}
