import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { errorText } from '../format.js';
import { useClient } from './client-context.js';
import { pickedFile } from './picked-file.js';

/** Create a group: name, description, icon, members picked from accepted contacts. */
export function NewGroupForm({ onCreated }: { readonly onCreated: (id: string) => void }): ReactNode {
  const client = useClient();
  const [error, setError] = useState('');
  const icon = useRef<HTMLInputElement>(null);
  const contacts = client.contacts().filter((c) => c.status === 'accepted' && !c.blocked);
  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const text = (name: string): string => {
      const v = data.get(name);
      return typeof v === 'string' ? v.trim() : '';
    };
    const members = data.getAll('member').map(String);
    setError('');
    pickedFile(icon.current)
      .then((picked) => client.createGroup(text('name'), text('description'), members, picked))
      .then(onCreated, (err: unknown) => setError(errorText(err, 'Could not create the group.')));
  };
  return (
    <form className="stack" aria-label="New group" onSubmit={submit}>
      <label htmlFor="group-name">Group name</label>
      <input id="group-name" name="name" required maxLength={100} />
      <label htmlFor="group-description">Description</label>
      <input id="group-description" name="description" maxLength={500} />
      <label htmlFor="group-icon">Group icon (optional)</label>
      <input id="group-icon" name="icon" type="file" accept="image/*" ref={icon} />
      <fieldset>
        <legend>Members</legend>
        {contacts.length === 0 && <p className="muted small">Add contacts first.</p>}
        {contacts.map((c) => (
          <label className="check" key={c.user}>
            <input type="checkbox" name="member" value={c.user} data-member={c.username} /> {c.displayName} (@{c.username})
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary">
        Create group
      </button>
      <p className="error" role="alert">
        {error}
      </p>
    </form>
  );
}
