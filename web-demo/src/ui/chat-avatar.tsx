import type { ReactNode } from 'react';
import type { ChatSummary } from '../adapters/client.js';

/** A chat's avatar: the group icon when it has one, else an initial (or # for groups), with the presence dot. */
export function ChatAvatar({ chat }: { readonly chat: ChatSummary }): ReactNode {
  return (
    <span className="avatar" aria-hidden="true">
      {chat.icon !== null ? <img className="group-icon" src={chat.icon} alt="" /> : chat.kind === 'group' ? '#' : chat.name.slice(0, 1).toUpperCase()}
      {chat.presence !== null && <span className={`dot ${chat.presence}`} title={chat.presence} />}
    </span>
  );
}
