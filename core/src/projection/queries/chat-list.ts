import type { ConversationsRow, Shelf } from '../projection-rows.js';
import type { ProjectionDb } from '../projection-schema.js';
import { Dexie } from '../dexie.js';

export interface ChatListRow {
  id: string;
  kind: 'direct' | 'group';
  /** Group name, else the peer's display name, else their username. */
  title: string;
  lastMessageId: string | null;
  lastSenderId: string | null;
  lastBody: string | null;
  lastDeleted: boolean;
  lastActivity: number;
  unread: number;
  pinned: boolean;
  archived: boolean;
  muted: boolean;
}

export interface ChatListQuery {
  /** Include archived conversations (default: only the inbox). */
  readonly includeArchived?: boolean;
  /** For `muted` (ms); default Date.now(). */
  readonly now?: number;
}

const order = (a: ConversationsRow, b: ConversationsRow): number =>
  b.pinned - a.pinned || b.lastActivity - a.lastActivity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * schema.sql `chat_list`: the viewer's current conversations, pinned first, then by last
 * activity, then id. Index conversations[shelf+pinned+lastActivity] reads only the shelves
 * asked for (never the conversations the viewer left); last message and unread count are
 * kept on the row by the projection (chat-summary.ts), so there is no per-conversation query.
 * Titles and mute states are two batched primary-key reads.
 */
export async function chatList(db: ProjectionDb, viewer: string, query: ChatListQuery = {}): Promise<ChatListRow[]> {
  const shelves: Shelf[] = query.includeArchived === true ? [2, 1] : [2];
  const rows: ConversationsRow[] = [];
  for (const shelf of shelves) {
    rows.push(
      ...(await db.conversations
        .where('[shelf+pinned+lastActivity]')
        .between([shelf, Dexie.minKey, Dexie.minKey], [shelf, Dexie.maxKey, Dexie.maxKey])
        .reverse()
        .toArray()),
    );
  }
  // The index orders by (pinned, lastActivity) descending; ties on activity go by id ascending.
  rows.sort(order);
  const peers = await db.users.bulkGet(rows.map((r) => r.peerId ?? ''));
  const states = await db.conversationStates.bulkGet(rows.map((r) => [viewer, r.id] as [string, string]));
  const now = query.now ?? Date.now();
  return rows.map((r, i) => {
    const peer = peers[i];
    const state = states[i];
    const title = r.kind === 'group' ? r.name : peer === undefined ? '' : peer.displayName !== '' ? peer.displayName : peer.username;
    return {
      id: r.id,
      kind: r.kind,
      title,
      lastMessageId: r.lastMessageId,
      lastSenderId: r.lastSenderId,
      lastBody: r.lastBody,
      lastDeleted: r.lastDeleted,
      lastActivity: r.lastActivity,
      unread: r.unread,
      pinned: r.pinned === 1,
      archived: state?.archived ?? false,
      muted: state?.mutedUntil != null && state.mutedUntil > now,
    };
  });
}
