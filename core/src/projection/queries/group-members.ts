import type { ProjectionDb } from '../projection-schema.js';
import { usernamesOf } from './usernames.js';

export interface GroupMemberRow {
  userId: string;
  username: string;
  role: 'admin' | 'member';
  /** The adder's username; null for the creator. */
  addedBy: string | null;
  joinedAt: number;
}

/**
 * schema.sql `group_members`: current members with roles, admins first, then by join time,
 * then id. Index participants.conversationId (the group's membership periods only).
 */
export async function groupMembers(db: ProjectionDb, conversationId: string): Promise<GroupMemberRow[]> {
  const rows = (await db.participants.where('conversationId').equals(conversationId).toArray()).filter((p) => p.leftAt === null);
  rows.sort(
    (a, b) =>
      Number(b.role === 'admin') - Number(a.role === 'admin') ||
      a.joinedAt - b.joinedAt ||
      (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
  );
  const names = await usernamesOf(db, rows.flatMap((p) => (p.addedBy === null ? [p.userId] : [p.userId, p.addedBy])));
  return rows.map((p) => ({
    userId: p.userId,
    username: names.get(p.userId) ?? '',
    role: p.role,
    addedBy: p.addedBy === null ? null : (names.get(p.addedBy) ?? ''),
    joinedAt: p.joinedAt,
  }));
}
