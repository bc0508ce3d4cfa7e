import { useState, type ReactNode } from 'react';
import type { PresenceState } from '../adapters/client.js';
import { useClient } from './client-context.js';
import { NotificationsButton } from './notifications-button.js';

const STATES: readonly PresenceState[] = ['online', 'away', 'busy', 'offline'];

/** Who is signed in, their status, the offline switch and sign-out. */
export function AccountHeader({ onSignedOut }: { readonly onSignedOut: () => void }): ReactNode {
  const client = useClient();
  const [online, setOnline] = useState(true);
  const [confirming, setConfirming] = useState(false);
  const me = client.me;
  return (
    <header className="side-header">
      <span className="avatar me" aria-hidden="true">
        {me.displayName.slice(0, 1).toUpperCase()}
      </span>
      <span className="me-name">
        <strong>{me.displayName}</strong>
        <span className="muted small">@{me.username}</span>
      </span>
      <select id="presence" aria-label="Your status" value={client.presence()} onChange={(e) => client.setPresence(e.currentTarget.value as PresenceState)}>
        {STATES.map((s) => (
          <option key={s} value={s}>
            {s[0]!.toUpperCase() + s.slice(1)}
          </option>
        ))}
      </select>
      <button
        type="button"
        id="toggle-online"
        className="ghost"
        onClick={() => {
          setOnline(!online);
          void client.setOnline(!online);
        }}
      >
        {online ? 'Go offline' : 'Go online'}
      </button>
      <NotificationsButton />
      {confirming ? (
        <span className="row confirm" role="group" aria-label="Sign out of this browser?">
          <span className="small">Sign out of this browser?</span>
          <button type="button" className="danger" id="confirm-sign-out" onClick={() => void client.signOut().then(onSignedOut)}>
            Sign out
          </button>
          <button type="button" className="ghost" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" className="ghost" onClick={() => setConfirming(true)}>
          Sign out
        </button>
      )}
    </header>
  );
}
