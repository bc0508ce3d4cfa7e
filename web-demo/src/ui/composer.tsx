import { useEffect, useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import type { ConversationId } from '@kith/core';
import { useSendTyping } from '@kith/react';
import type { ChatMessage } from '../adapters/client.js';
import { formatBytes } from '../format.js';
import { useClientActions } from './client-context.js';
import { UploadRow, type Upload } from './upload-row.js';

/** The message field with reply/edit context, attach and send; Enter sends, Escape cancels or goes back. */
export function Composer(props: {
  readonly id: string;
  readonly inputRef: RefObject<HTMLTextAreaElement | null>;
  readonly replyTo: ChatMessage | null;
  readonly editing: ChatMessage | null;
  readonly onClearContext: () => void;
  readonly onSending: (edit: boolean) => void;
  readonly onSent: () => void;
  readonly onError: (e: unknown) => void;
  readonly onBack: () => void;
  /** Why this person cannot write here (removed from the group), else null. */
  readonly disabledReason: string | null;
}): ReactNode {
  const { id, replyTo, editing, onError } = props;
  const client = useClientActions();
  const sendTyping = useSendTyping(id as ConversationId, 2000);
  const [text, setText] = useState('');
  const [uploads, setUploads] = useState<readonly Upload[]>([]);
  const form = useRef<HTMLFormElement>(null);
  const uploadKey = useRef(0);
  useEffect(() => {
    if (editing !== null) setText(editing.text);
  }, [editing]);
  useEffect(() => props.inputRef.current?.focus(), [props.inputRef]);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const body = text.trim();
    if (body === '' || props.disabledReason !== null) return;
    props.onSending(editing !== null);
    const p = editing !== null ? client.edit(id, editing.id, body) : client.send(id, body, replyTo?.id);
    setText('');
    props.onClearContext();
    p.then(props.onSent).catch((err: unknown) => {
      // The text is not lost: it comes back into the field (unless something new was typed).
      setText((now) => (now === '' ? body : now));
      onError(err instanceof Error && err.message.startsWith('not_a_member') ? new Error('You are no longer a member of this group.') : err);
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      form.current?.requestSubmit();
    } else if (e.key === 'Escape') {
      // Escape cancels a reply or edit; with none, at phone width it goes back to the list.
      const backShown = document.querySelector<HTMLElement>('.conv-title .back')?.offsetParent != null;
      if (replyTo === null && editing === null && backShown) props.onBack();
      if (editing !== null) setText('');
      props.onClearContext();
    }
  };
  const onFile = (e: ChangeEvent<HTMLInputElement>): void => {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = '';
    if (file === undefined) return;
    const caption = text.trim();
    setText('');
    const key = ++uploadKey.current;
    const patch = (u: Partial<Upload>): void => setUploads((all) => all.map((x) => (x.key === key ? { ...x, ...u } : x)));
    setUploads((all) => [...all, { key, name: file.name, sent: 0, total: file.size, label: `Encrypting ${file.name}…` }]);
    // The bar follows the bytes of the encrypted upload as the browser sends them.
    const progress = (sent: number, total: number): void => patch({ sent, total, label: `Uploading ${file.name}: ${formatBytes(sent)} of ${formatBytes(total)}` });
    file
      .arrayBuffer()
      .then((buf) => client.sendFile(id, { bytes: new Uint8Array(buf), mime: file.type || 'application/octet-stream', name: file.name }, caption, progress))
      .then(props.onSent)
      .catch(onError)
      .finally(() => setUploads((all) => all.filter((x) => x.key !== key)));
  };
  const quoted = editing ?? replyTo;
  const disabled = props.disabledReason !== null;
  return (
    <form className="composer" ref={form} onSubmit={submit} aria-disabled={disabled}>
      {disabled && (
        <p className="composer-notice small" role="status" id="composer-notice">
          {props.disabledReason}
        </p>
      )}
      <div className="uploads" aria-live="polite">
        {uploads.map((u) => (
          <UploadRow key={u.key} upload={u} />
        ))}
      </div>
      <div className="composer-context">
        {quoted !== null && (
          <div className="quote">
            <span>
              {editing !== null ? 'Editing' : `Replying to ${quoted.authorName}`}: {quoted.text.slice(0, 80)}
            </span>
            <button
              type="button"
              className="ghost"
              aria-label="Cancel"
              onClick={() => {
                if (editing !== null) setText('');
                props.onClearContext();
              }}
            >
              ✕
            </button>
          </div>
        )}
      </div>
      <div className="row">
        <label htmlFor="attach" className="attach-button" title="Attach a file">
          Attach
        </label>
        <input type="file" id="attach" className="visually-hidden" aria-label="Attach a file" onChange={onFile} disabled={disabled} />
        <textarea
          id="composer"
          rows={1}
          placeholder="Message"
          aria-label="Message"
          maxLength={65536}
          disabled={disabled}
          ref={props.inputRef}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            sendTyping();
          }}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary" aria-label="Send" disabled={disabled}>
          Send
        </button>
      </div>
    </form>
  );
}
