import { useState, type ReactNode } from 'react';
import { errorText } from '../format.js';
import { useClient } from './client-context.js';

/** "New chat": pick one of my contacts, and the direct chat with them opens. */
export function NewChat({ onOpen }: { readonly onOpen: (id: string) => void }): ReactNode {
  const client = useClient();
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState('');
  if (!picking)
    return (
      <div className="new-chat">
        <button type="button" id="new-chat" onClick={() => setPicking(true)}>
          ✚ New chat
        </button>
      </div>
    );
  const contacts = client
    .contacts()
    .filter((c) => c.status === 'accepted' && !c.blocked)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  const open = (user: string): void => {
    setError('');
    client.openDirect(user).then((id) => {
      setPicking(false);
      onOpen(id);
    }, (e: unknown) => setError(errorText(e)));
  };
  return (
    <div className="new-chat" role="group" aria-label="Start a chat with">
      <div className="row">
        <strong>Start a chat with</strong>
        <button type="button" className="ghost" onClick={() => setPicking(false)}>
          Cancel
        </button>
      </div>
      {contacts.length === 0 ? (
        <p className="empty">No contacts yet — add one in Contacts.</p>
      ) : (
        <ul className="new-chat-list">
          {contacts.map((c) => (
            <li key={c.user}>
              <button type="button" className="ghost" data-new-chat={c.username} onClick={() => open(c.user)}>
                {c.displayName || `@${c.username}`}
                {c.username !== '' && <span className="small muted">{` @${c.username}`}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error !== '' && <p className="error">{error}</p>}
    </div>
  );
}
