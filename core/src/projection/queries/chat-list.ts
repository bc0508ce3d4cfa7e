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
 * Titles are one batched primary-key read of the distinct peers. The rows are the viewer's
 * own (a projection database holds one account's view), so `_viewer` only documents the call.
 */
export async function chatList(db: ProjectionDb, _viewer: string, query: ChatListQuery = {}): Promise<ChatListRow[]> {
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
  const peerIds = [...new Set(rows.flatMap((r) => (r.peerId === null ? [] : [r.peerId])))];
  const peerRows = await db.users.bulkGet(peerIds);
  const peers = new Map(peerIds.map((id, i) => [id, peerRows[i]]));
  const now = query.now ?? Date.now();
  return rows.map((r) => {
    const peer = r.peerId === null ? undefined : peers.get(r.peerId);
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
      archived: r.shelf === 1,
      muted: r.mutedUntil !== null && r.mutedUntil > now,
    };
  });
}
