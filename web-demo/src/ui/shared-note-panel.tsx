import { useEffect, useState, type ReactNode } from 'react';
import type { SharedNote } from '../adapters/client.js';
import { errorText } from '../format.js';
import { useClientActions } from './client-context.js';
import { NoteEditor } from './note-editor.js';

/** The conversation's shared note in the side panel: everyone in the chat edits it together. */
export function SharedNotePanel({ id, onClose }: { readonly id: string; readonly onClose: () => void }): ReactNode {
  const client = useClientActions();
  const [note, setNote] = useState<SharedNote | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    let opened: SharedNote | null = null;
    client.openNote(id).then(
      (n) => {
        if (!live) return n.close();
        opened = n;
        setNote(n);
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
      opened?.close();
    };
  }, [client, id]);
  return (
    <section className="shared-note" aria-labelledby="note-title">
      <button type="button" className="ghost close-panel" aria-label="Close note" onClick={onClose}>
        ✕ Close
      </button>
      <h3 id="note-title">Shared note</h3>
      <p className="small muted">Everyone in this chat can edit it; end-to-end encrypted like the messages.</p>
      {note === null ? error === '' ? <p className="small muted">Opening…</p> : null : <NoteEditor note={note} onError={(e) => setError(errorText(e))} />}
      <p className="error" role="alert">
        {error}
      </p>
    </section>
  );
}
