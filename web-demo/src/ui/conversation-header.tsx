import type { ReactNode } from 'react';
import { formatTime } from '../format.js';
import { ChatAvatar } from './chat-avatar.js';
import { useClient } from './client-context.js';

/** The open chat's name, presence or description, and its actions (pin, mute, archive, calls, members, shared note). */
export function ConversationHeader(props: { readonly id: string; readonly showMembers: boolean; readonly onToggleMembers: () => void; readonly showNote: boolean; readonly onToggleNote: () => void; readonly onBack: () => void; readonly onError: (e: unknown) => void }): ReactNode {
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
        <span className="label">{c.pinned ? 'Unpin' : 'Pin'}</span>
        <span className="glyph" aria-hidden="true">
          📌
        </span>
      </button>
      <button type="button" className="ghost" aria-pressed={c.muted} aria-label={c.muted ? 'Unmute' : 'Mute'} onClick={() => setState({ muted: !c.muted })}>
        <span className="label">{c.muted ? 'Unmute' : 'Mute'}</span>
        <span className="glyph" aria-hidden="true">
          {c.muted ? '🔔' : '🔕'}
        </span>
      </button>
      <button type="button" className="ghost" aria-label={c.archived ? 'Unarchive' : 'Archive'} onClick={() => setState({ archived: !c.archived })}>
        <span className="label">{c.archived ? 'Unarchive' : 'Archive'}</span>
        <span className="glyph" aria-hidden="true">
          🗄
        </span>
      </button>
      {c.kind === 'direct' && (
        <button type="button" className="ghost" aria-label="Voice call" onClick={() => void client.startCall(id, 'voice').catch(onError)}>
          <span className="label">Voice call</span>
        <span className="glyph" aria-hidden="true">
          📞
        </span>
        </button>
      )}
      {c.kind === 'direct' && (
        <button type="button" className="ghost" aria-label="Video call" onClick={() => void client.startCall(id, 'video').catch(onError)}>
          <span className="label">Video call</span>
        <span className="glyph" aria-hidden="true">
          🎥
        </span>
        </button>
      )}
      {c.kind === 'group' && (
        <button type="button" className="ghost" id="toggle-members" aria-label="Members" aria-expanded={props.showMembers} onClick={props.onToggleMembers}>
          <span className="label">Members</span>
        <span className="glyph" aria-hidden="true">
          👥
        </span>
        </button>
      )}
      <button type="button" className="ghost" id="toggle-note" aria-label="Shared note" aria-expanded={props.showNote} onClick={props.onToggleNote}>
        <span className="label">Note</span>
        <span className="glyph" aria-hidden="true">
          📝
        </span>
      </button>
    </div>
  );
}
