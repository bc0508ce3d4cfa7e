import { useState, type ReactNode } from 'react';
import type { ConversationId, MemberInfo } from '@kith/core';
import { useMembers, useProfile } from '@kith/react';
import { errorText } from '../format.js';
import { NOT_A_CONTACT, personName } from '../adapters/username-book.js';
import { useClient } from './client-context.js';

/** One member: her name (a non-contact's marked "~Name", DIR-4), her role, and admin controls. */
function MemberRow({ id, member: m, admin, run }: { readonly id: string; readonly member: MemberInfo; readonly admin: boolean; readonly run: (p: Promise<void>) => void }): ReactNode {
  const client = useClient();
  const { name, stranger } = personName(useProfile(m.user), client.nameOf(m.user));
  return (
    <li data-member={name} data-stranger={stranger ? 'true' : undefined}>
      <span>
        {name} <span className={`role ${m.role}`}>{m.role}</span>
        {stranger && <span className="muted small stranger"> · {NOT_A_CONTACT}</span>}
      </span>
      {admin && m.user !== client.me.user && (
        <span className="actions">
          {m.role === 'member' ? (
            <button type="button" onClick={() => run(client.groupAction('promote', id, m.user))}>
              Make admin
            </button>
          ) : (
            <button type="button" onClick={() => run(client.groupAction('demote', id, m.user))}>
              Dismiss admin
            </button>
          )}
          <button type="button" className="danger" aria-label={`Remove ${name}`} onClick={() => run(client.groupAction('remove', id, m.user))}>
            Remove
          </button>
        </span>
      )}
    </li>
  );
}

/** The members of a group with names and roles (@kith/react's useMembers); admin controls only for admins. */
export function MemberList({ id, onError }: { readonly id: string; readonly onError: (message: string) => void }): ReactNode {
  const client = useClient();
  const members = useMembers(id as ConversationId);
  const admin = members.some((m) => m.user === client.me.user && m.role === 'admin');
  const candidates = client.contacts().filter((c) => c.status === 'accepted' && !members.some((m) => m.user === c.user));
  const [adding, setAdding] = useState('');
  const toAdd = candidates.some((c) => c.user === adding) ? adding : (candidates[0]?.user ?? '');
  const run = (p: Promise<void>): void => void p.catch((err: unknown) => onError(errorText(err, 'Failed.')));
  return (
    <div className="members" aria-label="Members">
      <h3>Members</h3>
      <ul>
        {members.map((m) => (
          <MemberRow key={m.user} id={id} member={m} admin={admin} run={run} />
        ))}
      </ul>
      {admin && candidates.length > 0 && (
        <div className="row">
          <select aria-label="Contact to add" id="add-member" value={toAdd} onChange={(e) => setAdding(e.currentTarget.value)}>
            {candidates.map((c) => (
              <option key={c.user} value={c.user}>
                {c.displayName}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => run(client.groupAction('add', id, toAdd))}>
            Add
          </button>
        </div>
      )}
      <button type="button" className="danger" onClick={() => run(client.leaveGroup(id))}>
        Leave group
      </button>
    </div>
  );
}
