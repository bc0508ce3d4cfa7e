import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ConversationId } from '@kith/core';
import { useMembers } from '@kith/react';
import type { ChatMessage } from '../adapters/client.js';
import { errorText } from '../format.js';
import { useClientActions, useClientVersion } from './client-context.js';
import { ConversationHeader } from './conversation-header.js';
import { MessageList } from './message-list.js';
import { TypingLine } from './typing-line.js';
import { Composer } from './composer.js';
import { GroupPanel } from './group-panel.js';
import { SharedNotePanel } from './shared-note-panel.js';
import { useMessagePages } from './use-message-pages.js';

/** One conversation: header, history with infinite scroll back, typing, composer, group panel. */
export function Conversation({ id, onBack }: { readonly id: string; readonly onBack: () => void }): ReactNode {
  const client = useClientActions();
  const version = useClientVersion();
  const [error, setError] = useState('');
  const fail = useCallback((e: unknown) => setError(errorText(e)), []);
  const pages = useMessagePages(client, id, version, fail);
  const [replyTo, setReplyTo] = useState<ChatMessage | null>(null);
  const [editing, setEditing] = useState<ChatMessage | null>(null);
  // The side panel: the group's members, or the shared note.
  const [side, setSide] = useState<'members' | 'note' | null>(null);
  const showMembers = side === 'members';
  const input = useRef<HTMLTextAreaElement>(null);
  // Set by a send: the list scrolls to the newest message again.
  const [followNonce, setFollowNonce] = useState(0);

  // Read receipts: the newest message from someone else, while the page is visible.
  const marked = useRef('');
  const markRead = useCallback((): void => {
    const last = [...pages.messages].reverse().find((m) => !m.mine);
    if (last === undefined || last.id <= marked.current || document.visibilityState !== 'visible') return;
    marked.current = last.id;
    void client.markRead(id, last.id).catch(() => (marked.current = ''));
  }, [client, id, pages.messages]);
  useEffect(() => {
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [markRead]);

  const chat = client.chat(id);
  // A removed member reads the history but cannot write: the composer says so, keeps her draft,
  // and comes back (with no stale error) when she is added again.
  const members = useMembers(id as ConversationId);
  const member = chat.kind !== 'group' || members.some((m) => m.user === client.me.user);
  useEffect(() => setError(''), [member]);
  return (
    <>
      <header className="conv-header">
        <ConversationHeader id={id} showMembers={showMembers} onToggleMembers={() => setSide(showMembers ? null : 'members')} showNote={side === 'note'} onToggleNote={() => setSide(side === 'note' ? null : 'note')} onBack={onBack} onError={fail} />
      </header>
      <div className={`conv-body${(showMembers && chat.kind === 'group') || side === 'note' ? ' side-open' : ''}`}>
        <div className="conv-main">
          <MessageList
            id={id}
            pages={pages}
            follow={followNonce}
            onReply={(m) => {
              setReplyTo(m);
              setEditing(null);
              input.current?.focus();
            }}
            onEdit={(m) => {
              setEditing(m);
              setReplyTo(null);
              input.current?.focus();
            }}
            onError={fail}
          />
          <TypingLine id={id} />
          <p className="error" role="alert">
            {error}
          </p>
          <Composer
            id={id}
            inputRef={input}
            replyTo={replyTo}
            editing={editing}
            onClearContext={() => {
              setReplyTo(null);
              setEditing(null);
            }}
            onSending={(edit) => {
              setError('');
              if (!edit) setFollowNonce((n) => n + 1);
            }}
            onSent={pages.refresh}
            onError={fail}
            onBack={onBack}
            disabledReason={member ? null : 'You are no longer a member of this group.'}
          />
        </div>
        <div className="conv-side">
          {showMembers && chat.kind === 'group' && <GroupPanel id={id} onError={(m) => setError(m)} onClose={() => setSide(null)} />}
          {side === 'note' && <SharedNotePanel id={id} onClose={() => setSide(null)} />}
        </div>
      </div>
    </>
  );
}
