import type { ReactNode } from 'react';
import type { UserId } from '@kith/core';
import { useProfile } from '@kith/react';
import type { ChatMessage } from '../adapters/client.js';
import { NOT_A_CONTACT, personName } from '../adapters/username-book.js';
import { formatTime } from '../format.js';
import { useClientActions } from './client-context.js';
import { AttachmentView } from './attachment-view.js';
import { DeleteMessageButton } from './delete-message-button.js';

const EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'];
const TICK: Record<string, string> = { queued: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓' };

/** One message: author, quoted reply, attachments, text, time and tick, reactions, and its actions. */
export function MessageBubble(props: {
  readonly conversation: string;
  readonly message: ChatMessage;
  /** Follows a message of the same author: no author line. */
  readonly grouped: boolean;
  readonly pickerOpen: boolean;
  readonly onTogglePicker: () => void;
  readonly onReacted: () => void;
  readonly onReply: (m: ChatMessage) => void;
  readonly onEdit: (m: ChatMessage) => void;
  readonly onError: (e: unknown) => void;
  readonly onImageLoad: () => void;
}): ReactNode {
  const { conversation, message: m, onError } = props;
  const client = useClientActions();
  const react = (emoji: string): void => {
    props.onReacted();
    void client.react(conversation, m.id, m.reactions.some((r) => r.mine && r.emoji === emoji) ? null : emoji).catch(onError);
  };
  const receipts = m.receipts.length > 1 ? m.receipts.map((r) => `${r.name}: ${r.status}`).join(', ') : '';
  const showBody = m.deleted || (m.text !== '' && !m.attachments.some((a) => a.name === m.text));
  // A group member who is not my contact shows as "~Name" (her own card, DIR-4), never as a contact would.
  const author = personName(useProfile(m.author as UserId), m.authorName);
  return (
    <li className={`msg${m.mine ? ' mine' : ''}${m.deleted ? ' deleted' : ''}${props.grouped ? ' grouped' : ''}`} data-id={m.id} data-text={m.text} tabIndex={-1} aria-label={`${author.name}, ${formatTime(m.sentAt)}`}>
      {!m.mine && !props.grouped && (
        <span className="author small" {...(author.stranger ? { title: NOT_A_CONTACT, 'data-stranger': 'true' } : {})}>
          {author.name}
        </span>
      )}
      {m.replyTo !== null && (
        <blockquote className="quoted small">
          <strong>{m.replyTo.authorName}</strong> {m.replyTo.text}
        </blockquote>
      )}
      {m.attachments.map((a) => (
        <AttachmentView key={a.id} conversation={conversation} message={m.id} attachment={a} onError={onError} onImageLoad={props.onImageLoad} />
      ))}
      {showBody && <p className="body">{m.deleted ? 'This message was deleted' : m.text}</p>}
      <span className="meta small">
        {m.edited && !m.deleted && <span className="edited">edited · </span>}
        <time dateTime={new Date(m.sentAt).toISOString()}>{formatTime(m.sentAt)}</time>
        {m.tick !== null && (
          <span className={`tick ${m.tick}`} data-tick={m.tick} title={receipts || m.tick} aria-label={m.tick}>
            {' '}
            {TICK[m.tick]}
          </span>
        )}
      </span>
      {m.reactions.length > 0 && (
        <span className="reactions">
          {m.reactions.map((r) => (
            <span key={r.emoji} className={`reaction${r.mine ? ' mine' : ''}`} data-emoji={r.emoji}>
              {`${r.emoji} ${r.count}`}
            </span>
          ))}
        </span>
      )}
      {!m.deleted && (
        <span className="msg-actions">
          <button type="button" className="ghost" aria-label="Reply" onClick={() => props.onReply(m)}>
            ↩
          </button>
          <button type="button" className="ghost" aria-label="React" onClick={props.onTogglePicker}>
            ☺
          </button>
          {m.mine && (
            <button type="button" className="ghost" aria-label="Edit" onClick={() => props.onEdit(m)}>
              ✎
            </button>
          )}
          <DeleteMessageButton conversation={conversation} message={m} onError={onError} />
        </span>
      )}
      <div className="picker" hidden={!props.pickerOpen} role="group" aria-label="Reactions">
        {EMOJI.map((e) => (
          <button key={e} type="button" aria-label={`React ${e}`} onClick={() => react(e)}>
            {e}
          </button>
        ))}
      </div>
    </li>
  );
}
