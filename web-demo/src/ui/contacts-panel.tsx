import { useState, type FormEvent, type ReactNode } from 'react';
import type { ContactView, DemoClient } from '../adapters/client.js';
import { errorText } from '../format.js';
import { useClient } from './client-context.js';

const STATUS: Record<ContactView['status'], string> = {
  none: '',
  outgoing: 'Request sent',
  incoming: 'Wants to connect',
  accepted: 'Contact',
  declined: 'Declined',
  blocked: 'Blocked',
};

type ContactAction = Parameters<DemoClient['contact']>[0];

/** Search a username, send requests, accept/decline, block/unblock, safety numbers. */
export function ContactsPanel({ onOpenChat }: { readonly onOpenChat: (id: string) => void }): ReactNode {
  const client = useClient();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const add = (e: FormEvent): void => {
    e.preventDefault();
    const name = query.trim();
    if (name === '') return;
    setStatus('Searching…');
    client
      .lookup(name)
      .then(async (user) => {
        await client.contact('request', user);
        setStatus(`Request sent to @${name}.`);
        setQuery('');
      })
      .catch((err: unknown) => setStatus(errorText(err, 'Search failed.')));
  };
  const act = (action: ContactAction, user: string): void => void client.contact(action, user).catch((err: unknown) => setStatus(errorText(err, 'Failed.')));
  const contacts = client.contacts();
  return (
    <div className="contacts">
      <form className="row" role="search" onSubmit={add}>
        <input id="contact-search" type="search" placeholder="Username" aria-label="Find a username" autoComplete="off" value={query} onChange={(e) => setQuery(e.currentTarget.value)} />
        <button type="submit" className="primary">
          Add
        </button>
      </form>
      <p className="small" role="status" id="contact-status">
        {status}
      </p>
      {contacts.length === 0 ? (
        <p className="empty">No contacts yet.</p>
      ) : (
        <ul className="contact-list" aria-label="Contacts">
          {contacts.map((c) => (
            <ContactRow key={c.user} contact={c} onAction={act} onOpenChat={onOpenChat} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ContactRow(props: { readonly contact: ContactView; readonly onAction: (a: ContactAction, user: string) => void; readonly onOpenChat: (id: string) => void }): ReactNode {
  const { contact: c, onAction } = props;
  const client = useClient();
  const [safety, setSafety] = useState<string | null>(null);
  const name = c.displayName || c.username;
  return (
    <li className="contact" data-contact={c.username}>
      <span className="avatar" aria-hidden="true">
        {name.slice(0, 1).toUpperCase()}
      </span>
      <span className="chat-text">
        <span className="chat-name">{name}</span>
        <span className="chat-preview">
          @{c.username} · {c.blocked ? 'Blocked' : STATUS[c.status]}
        </span>
        {safety !== null && <p className="safety small">Safety number: {safety}</p>}
      </span>
      <span className="actions">
        {c.status === 'incoming' && !c.blocked && (
          <button type="button" className="primary" onClick={() => onAction('accept', c.user)}>
            Accept
          </button>
        )}
        {c.status === 'incoming' && !c.blocked && (
          <button type="button" onClick={() => onAction('decline', c.user)}>
            Decline
          </button>
        )}
        {c.status === 'accepted' && !c.blocked && (
          <button type="button" className="primary" onClick={() => void client.openDirect(c.user).then(props.onOpenChat)}>
            Message
          </button>
        )}
        <button type="button" title={`Safety number with ${c.username}`} onClick={() => (safety === null ? void client.safetyNumber(c.user).then(setSafety) : setSafety(null))}>
          Safety number
        </button>
        {c.blocked ? (
          <button type="button" onClick={() => onAction('unblock', c.user)}>
            Unblock
          </button>
        ) : (
          <button type="button" className="danger" onClick={() => onAction('block', c.user)}>
            Block
          </button>
        )}
      </span>
    </li>
  );
}
