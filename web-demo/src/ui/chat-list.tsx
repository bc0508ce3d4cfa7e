import type { ReactNode } from 'react';
import { formatTime } from '../format.js';
import type { ChatSummary } from '../adapters/client.js';
import { ChatAvatar } from './chat-avatar.js';
import { useClient } from './client-context.js';

/** The chats (or the archived ones), pinned first, newest activity next. */
export function ChatList(props: { readonly archived: boolean; readonly open: string | null; readonly onOpen: (id: string) => void; readonly requests: number; readonly only?: ReadonlySet<string> | null }): ReactNode {
  const only = props.only ?? null;
  const chats = useClient()
    .chats()
    .filter((c) => c.archived === props.archived && (only === null || only.has(c.id)));
  if (only !== null && chats.length === 0) return <p className="empty">No chats match.</p>;
  if (chats.length === 0) {
    const waiting = props.requests === 1 ? '1 contact request is waiting in Contacts.' : `${props.requests} contact requests are waiting in Contacts.`;
    return <p className="empty">{props.archived ? 'No archived chats.' : props.requests > 0 ? `No chats yet — ${waiting}` : 'No chats yet — add a contact to start one.'}</p>;
  }
  return (
    <ul className="chat-list" aria-label="Chats">
      {chats.map((c) => (
        <li key={c.id}>
          <ChatListItem chat={c} active={props.open === c.id} onOpen={props.onOpen} />
        </li>
      ))}
    </ul>
  );
}

function ChatListItem({ chat: c, active, onOpen }: { readonly chat: ChatSummary; readonly active: boolean; readonly onOpen: (id: string) => void }): ReactNode {
  return (
    <button type="button" className={`chat-item${active ? ' active' : ''}`} data-chat={c.id} aria-label={`${c.name}${c.unread > 0 ? `, ${c.unread} unread` : ''}`} onClick={() => onOpen(c.id)}>
      <ChatAvatar chat={c} />
      <span className="chat-text">
        <span className="chat-name">
          {c.name}
          {c.pinned && (
            <span className="icon" title="Pinned" aria-label="pinned">
              {' 📌'}
            </span>
          )}
          {c.muted && (
            <span className="icon" title="Muted" aria-label="muted">
              {' 🔕'}
            </span>
          )}
        </span>
        <span className="chat-preview">{c.lastText || 'No messages yet'}</span>
      </span>
      <span className="chat-meta">
        {c.lastAt > 0 && <time>{formatTime(c.lastAt)}</time>}
        {c.unread > 0 && (
          <span className="unread" data-unread={c.unread}>
            {c.unread}
          </span>
        )}
      </span>
    </button>
  );
}
