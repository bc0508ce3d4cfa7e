import type { ProjectionDb } from '../projection-schema.js';
import { usernamesOf } from './usernames.js';

export interface MessageReactionRow {
  emoji: string;
  count: number;
  /** Usernames, earliest reaction first (then by user id). */
  users: string[];
}

/**
 * schema.sql `message_reactions`: a message's reactions grouped by emoji, most used first,
 * then the earliest, then the emoji. Index reactions.messageId.
 */
export async function messageReactions(db: ProjectionDb, messageId: string): Promise<MessageReactionRow[]> {
  const rows = await db.reactions.where('messageId').equals(messageId).toArray();
  rows.sort((a, b) => a.reactedAt - b.reactedAt || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  const names = await usernamesOf(db, rows.map((r) => r.userId));
  const groups = new Map<string, { first: number; users: string[] }>();
  for (const r of rows) {
    const g = groups.get(r.emoji) ?? { first: r.reactedAt, users: [] };
    g.users.push(names.get(r.userId) ?? '');
    groups.set(r.emoji, g);
  }
  return [...groups]
    .sort(([ea, a], [eb, b]) => b.users.length - a.users.length || a.first - b.first || (ea < eb ? -1 : ea > eb ? 1 : 0))
    .map(([emoji, g]) => ({ emoji, count: g.users.length, users: g.users }));
}
