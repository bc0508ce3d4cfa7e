import { chatList, createProjection, openProjectionDb, searchChats, searchMessages } from '@kith/core';
import type { Kith, MessageSearchPage, MessageSearchQuery, Projection } from '@kith/core';

/** What the chat list shows of one conversation besides its name and state. */
export interface Summary {
  readonly lastText: string;
  readonly lastAt: number;
  readonly unread: number;
}

export interface ChatSummaries {
  get(conversation: string): Summary | undefined;
  /** Re-reads the chat list once the projection has written what happened so far. */
  refresh(): Promise<void>;
  /** Message search over the projection (ADR 0028), once it has written what happened so far. */
  searchMessages(text: string, query?: MessageSearchQuery): Promise<MessageSearchPage>;
  /** The ids of the chats whose name or members match (chat list order). */
  searchChats(text: string): Promise<string[]>;
  close(): void;
}

/**
 * The chat list's last message and unread count come from the relational projection (ADR 0008):
 * it keeps both on the conversation row, counting the unread range through the
 * messages[conversationId+id] index, so a chat with 500 unread messages shows 500, not the
 * size of a loaded page. `changed` fires when any summary differs from the last read.
 */
/**
 * `authorOf(conversation, sender)` prefixes the preview: "You: " for mine, "Alice: " in groups
 * (the author prefix of WhatsApp and Signal), nothing for the peer of a direct chat.
 */
export async function createChatSummaries(kith: Kith, dbName: string, changed: () => void, authorOf: (conversation: string, sender: string) => string): Promise<ChatSummaries> {
  const db = await openProjectionDb({ name: dbName });
  const projection: Projection = await createProjection({ kith, db });
  let current = new Map<string, Summary>();
  let running: Promise<void> | null = null;
  let again = false;
  const read = async (): Promise<void> => {
    await projection.idle();
    const rows = await chatList(db, kith.user, { includeArchived: true });
    const next = new Map<string, Summary>();
    let differs = rows.length !== current.size;
    for (const r of rows) {
      const body = r.lastBody ?? '';
      const lastText = r.lastMessageId === null ? '' : r.lastDeleted ? 'Message deleted' : `${r.lastSenderId === null ? '' : authorOf(r.id, r.lastSenderId)}${body || '📎 Attachment'}`;
      const s = { lastText, lastAt: r.lastMessageId === null ? 0 : r.lastActivity, unread: r.unread };
      const prev = current.get(r.id);
      if (prev === undefined || prev.lastText !== s.lastText || prev.lastAt !== s.lastAt || prev.unread !== s.unread) differs = true;
      next.set(r.id, s);
    }
    current = next;
    if (differs) changed();
  };
  // One read at a time; a refresh asked for while one runs runs once more after it.
  const refresh = async (): Promise<void> => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await read();
      } while (again);
    })().finally(() => (running = null));
    return running;
  };
  return {
    get: (conversation) => current.get(conversation),
    refresh,
    searchMessages: async (text, query) => (await projection.idle(), searchMessages(db, kith.user, text, query)),
    searchChats: async (text) => (await projection.idle(), (await searchChats(db, kith.user, text, { includeArchived: true })).map((c) => c.id)),
    close() {
      projection.close();
      db.close();
    },
  };
}
