import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { DemoClient } from '../adapters/client.js';
import { errorText } from '../format.js';
import { useClient } from './client-context.js';
import { pickedFile } from './picked-file.js';

/**
 * Name, description and icon of a group. Admins get a form (the engine refuses the change from
 * anyone else anyway); members see the description only. Fields the admin is editing keep their
 * draft while the group changes underneath.
 */
export function GroupInfo({ id }: { readonly id: string }): ReactNode {
  const client = useClient();
  const g = client.group(id);
  const [name, setName] = useState<string | null>(null);
  const [description, setDescription] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const icon = useRef<HTMLInputElement>(null);
  if (!client.amAdmin(id))
    return (
      <section className="group-info" aria-label="Group info">
        <h3>{g.name}</h3>
        <p className="muted" id="group-info-description">
          {g.description || 'No description.'}
        </p>
      </section>
    );
  const save = (patch: Parameters<DemoClient['updateGroup']>[1]): void => {
    setStatus('Saving…');
    client.updateGroup(id, patch).then(
      () => {
        setStatus('Saved.');
        setName(null);
        setDescription(null);
      },
      (err: unknown) => setStatus(errorText(err, 'Could not save.')),
    );
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void pickedFile(icon.current).then((picked) => {
      if (icon.current !== null) icon.current.value = '';
      save({ name: (name ?? g.name).trim(), description: (description ?? g.description).trim(), ...(picked === undefined ? {} : { icon: picked }) });
    });
  };
  return (
    <form className="stack group-info" aria-label="Group info" onSubmit={submit}>
      <h3>Group info</h3>
      <label htmlFor="edit-group-name">Group name</label>
      <input id="edit-group-name" name="name" required maxLength={100} value={name ?? g.name} onChange={(e) => setName(e.currentTarget.value)} />
      <label htmlFor="edit-group-description">Group description</label>
      <textarea id="edit-group-description" name="description" maxLength={500} rows={2} value={description ?? g.description} onChange={(e) => setDescription(e.currentTarget.value)} />
      <label htmlFor="edit-group-icon">New group icon</label>
      <input id="edit-group-icon" name="icon" type="file" accept="image/*" ref={icon} />
      <div className="row">
        <button type="submit" className="primary">
          Save group info
        </button>
        {client.chat(id).icon !== null && (
          <button type="button" id="remove-icon" onClick={() => save({ icon: null })}>
            Remove icon
          </button>
        )}
      </div>
      <p className="small" role="status" id="group-info-status">
        {status}
      </p>
    </form>
  );
}
