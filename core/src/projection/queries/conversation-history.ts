import type { ProjectionDb } from '../projection-schema.js';
import { Dexie } from '../dexie.js';
import { usernamesOf } from './usernames.js';

export interface HistoryRow {
  id: string;
  body: string | null;
  createdAt: number;
  username: string;
  deleted: boolean;
}

/**
 * schema.sql `seed_example_corrected`: a conversation's whole history, oldest first, tombstones
 * included. Index messages[conversationId+id]. For screens use `conversationPage`.
 */
export async function conversationHistory(db: ProjectionDb, conversationId: string): Promise<HistoryRow[]> {
  const rows = await db.messages
    .where('[conversationId+id]')
    .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
    .toArray();
  const names = await usernamesOf(db, rows.map((m) => m.senderId));
  return rows.map((m) => ({
    id: m.id,
    body: m.body,
    createdAt: m.createdAt,
    username: names.get(m.senderId) ?? '',
    deleted: m.deletedAt !== null,
  }));
}
