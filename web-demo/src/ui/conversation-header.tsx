import type { ReactNode } from 'react';
import { formatTime } from '../format.js';
import { ChatAvatar } from './chat-avatar.js';
import { useClient } from './client-context.js';

/** The open chat's name, presence or description, and its actions (pin, mute, archive, calls, members). */
export function ConversationHeader(props: { readonly id: string; readonly showMembers: boolean; readonly onToggleMembers: () => void; readonly onBack: () => void; readonly onError: (e: unknown) => void }): ReactNode {
  const { id, onError } = props;
  const client = useClient();
  const c = client.chat(id);
  const status = c.presence === null ? client.group(id).description || 'Group' : c.presence === 'offline' && c.lastSeen !== null ? `last seen ${formatTime(c.lastSeen)}` : c.presence;
  const setState = (patch: Parameters<typeof client.setChatState>[1]): void => void client.setChatState(id, patch).catch(onError);
  return (
    <div className="conv-title">
      <button type="button" className="ghost back" aria-label="Back to chats" onClick={props.onBack}>
        ←
      </button>
      <ChatAvatar chat={c} />
      <span className="chat-text">
        <h2 id="conv-name">{c.name}</h2>
        <span className="small muted" id="conv-presence">
          {status}
        </span>
      </span>
      <button type="button" className="ghost" aria-pressed={c.pinned} aria-label={c.pinned ? 'Unpin' : 'Pin'} onClick={() => setState({ pinned: !c.pinned })}>
        {c.pinned ? 'Unpin' : 'Pin'}
      </button>
      <button type="button" className="ghost" aria-pressed={c.muted} aria-label={c.muted ? 'Unmute' : 'Mute'} onClick={() => setState({ muted: !c.muted })}>
        {c.muted ? 'Unmute' : 'Mute'}
      </button>
      <button type="button" className="ghost" aria-label={c.archived ? 'Unarchive' : 'Archive'} onClick={() => setState({ archived: !c.archived })}>
        {c.archived ? 'Unarchive' : 'Archive'}
      </button>
      {c.kind === 'direct' && (
        <button type="button" className="ghost" onClick={() => void client.startCall(id, 'voice').catch(onError)}>
          Voice call
        </button>
      )}
      {c.kind === 'direct' && (
        <button type="button" className="ghost" onClick={() => void client.startCall(id, 'video').catch(onError)}>
          Video call
        </button>
      )}
      {c.kind === 'group' && (
        <button type="button" className="ghost" id="toggle-members" aria-expanded={props.showMembers} onClick={props.onToggleMembers}>
          Members
        </button>
      )}
    </div>
  );
}
