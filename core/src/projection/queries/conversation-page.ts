import type { ProjectionDb } from '../projection-schema.js';
import { Dexie } from '../dexie.js';
import { KithError } from '../../errors.js';
import { usernamesOf } from './usernames.js';

export interface PageRow {
  id: string;
  senderId: string;
  username: string;
  body: string | null;
  replyToId: string | null;
  forwarded: boolean;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  attachments: number;
}

export interface PageQuery {
  /** Keyset cursor: the oldest message id already shown (ids are time-ordered); absent = newest page. */
  readonly before?: string;
  /** 1–500, default 50. */
  readonly limit?: number;
}

/**
 * schema.sql `conversation_page`: newest first, below the cursor, hiding what the viewer
 * cleared. Index messages[conversationId+id], read backwards from the cursor: the cost is the
 * page, not the history.
 */
export async function conversationPage(db: ProjectionDb, viewer: string, conversationId: string, query: PageQuery = {}): Promise<PageRow[]> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new KithError('invalid_argument', 'limit is 1–500');
  const state = await db.conversationStates.get([viewer, conversationId]);
  const cleared = state?.clearedUpTo ?? null;
  const rows = await db.messages
    .where('[conversationId+id]')
    .between(
      [conversationId, cleared ?? Dexie.minKey],
      [conversationId, query.before ?? Dexie.maxKey],
      cleared === null,
      query.before === undefined,
    )
    .reverse()
    .limit(limit)
    .toArray();
  const names = await usernamesOf(db, rows.map((m) => m.senderId));
  return rows.map((m) => ({
    id: m.id,
    senderId: m.senderId,
    username: names.get(m.senderId) ?? '',
    body: m.body,
    replyToId: m.replyToId,
    forwarded: m.forwarded,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    deleted: m.deletedAt !== null,
    attachments: m.attachments,
  }));
}
