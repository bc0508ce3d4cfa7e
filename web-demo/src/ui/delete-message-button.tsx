import { useEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import type { ChatMessage } from '../adapters/client.js';
import { useClientActions } from './client-context.js';

/**
 * A message's delete action: asks first, in a modal dialog — "Delete for me" (hidden on my
 * devices only) for any message, "Delete for everyone" for mine. The dialog is portalled to the
 * body (the actions bar is only displayed while the message is hovered or focused).
 */
export function DeleteMessageButton({ conversation, message: m, onError }: { readonly conversation: string; readonly message: ChatMessage; readonly onError: (e: unknown) => void }): ReactNode {
  const client = useClientActions();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDialogElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = box.current;
    if (open && d !== null && !d.open) d.showModal();
  }, [open]);
  const close = (): void => {
    setOpen(false);
    trigger.current?.focus();
  };
  const run = (action: (conversation: string, id: string) => Promise<void>): void => {
    setOpen(false);
    void action(conversation, m.id).catch(onError);
  };
  return (
    <>
      <button type="button" className="ghost" aria-label="Delete" ref={trigger} onClick={() => setOpen(true)}>
        ✕
      </button>
      {open &&
        createPortal(
          <dialog className="confirm-dialog" aria-labelledby="delete-title" ref={box} onCancel={close}>
            <p id="delete-title">
              <strong>Delete message?</strong>
            </p>
            <p className="small muted">{m.mine ? '“Delete for everyone” removes it for everybody in this chat.' : 'It stays for the others in this chat.'}</p>
            <div className="row">
              <button type="button" onClick={() => run((c, id) => client.hide(c, id))}>
                Delete for me
              </button>
              {m.mine && (
                <button type="button" className="danger" onClick={() => run((c, id) => client.remove(c, id))}>
                  Delete for everyone
                </button>
              )}
              <button type="button" className="ghost" onClick={close}>
                Cancel
              </button>
            </div>
          </dialog>,
          document.body,
        )}
    </>
  );
}
