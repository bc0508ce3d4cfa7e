import type { ProjectionDb } from '../projection-schema.js';
import type { ChatListQuery, ChatListRow } from './chat-list.js';
import { matchesTerms, parseSearchTerms } from '../search-text.js';
import { chatList } from './chat-list.js';

/**
 * Chat search (ADR 0028): the chat list (same order, same rows) narrowed to the conversations
 * whose title, or a current member's display name or username, has words starting with every
 * term of `text` (folded as message search folds). An empty query is the whole list. The cost
 * is the chat list plus one read of its members and their profiles: it grows with the number
 * of conversations, which a device keeps in the hundreds, not with messages.
 */
export async function searchChats(db: ProjectionDb, viewer: string, text: string, query: ChatListQuery = {}): Promise<ChatListRow[]> {
  const chats = await chatList(db, viewer, query);
  const terms = parseSearchTerms(text.slice(0, 1000));
  if (terms.length === 0) return chats;
  const members = await db.participants.where('conversationId').anyOf(chats.map((c) => c.id)).toArray();
  const userIds = [...new Set(members.map((m) => m.userId))];
  const users = await db.users.bulkGet(userIds);
  const names = new Map(userIds.map((id, i) => [id, `${users[i]?.displayName ?? ''} ${users[i]?.username ?? ''}`]));
  const haystack = new Map<string, string[]>();
  for (const m of members) {
    if (m.leftAt !== null || m.userId === viewer) continue;
    const list = haystack.get(m.conversationId) ?? [];
    list.push(names.get(m.userId) ?? '');
    haystack.set(m.conversationId, list);
  }
  return chats.filter((c) => matchesTerms([c.title, ...(haystack.get(c.id) ?? [])].join(' '), terms));
}
