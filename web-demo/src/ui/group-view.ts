import { field, h } from '../dom.js';
import type { DemoClient, FileInput } from '../adapters/client.js';

/** The picked image of a file input, read into memory (undefined when none was picked). */
async function pickedImage(input: HTMLInputElement): Promise<FileInput | undefined> {
  const file = input.files?.[0];
  if (file === undefined) return undefined;
  return { bytes: new Uint8Array(await file.arrayBuffer()), mime: file.type || 'application/octet-stream', name: file.name };
}

/** Create a group: name, description, icon, members picked from accepted contacts. */
export function renderNewGroup(client: DemoClient, created: (id: string) => void): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const contacts = client.contacts().filter((c) => c.status === 'accepted' && !c.blocked);
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'New group' },
    h('label', { for: 'group-name' }, 'Group name'),
    h('input', { id: 'group-name', name: 'name', required: true, maxlength: 100 }),
    h('label', { for: 'group-description' }, 'Description'),
    h('input', { id: 'group-description', name: 'description', maxlength: 500 }),
    h('label', { for: 'group-icon' }, 'Group icon (optional)'),
    h('input', { id: 'group-icon', name: 'icon', type: 'file', accept: 'image/*' }),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Members'),
      contacts.length === 0 && h('p', { class: 'muted small' }, 'Add contacts first.'),
      ...contacts.map((c) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'member', value: c.user, 'data-member': c.username }), ` ${c.displayName} (@${c.username})`)),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Create group'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const members = data.getAll('member').map(String);
    const iconInput = form.querySelector<HTMLInputElement>('#group-icon');
    error.textContent = '';
    (iconInput === null ? Promise.resolve(undefined) : pickedImage(iconInput))
      .then((icon) => client.createGroup(field(data, 'name').trim(), field(data, 'description').trim(), members, icon))
      .then(created, (err: unknown) => (error.textContent = err instanceof Error ? err.message : 'Could not create the group.'));
  });
  return form;
}

/** The member list of a group with roles; admin controls only for admins. */
export function renderMembers(client: DemoClient, conversation: string, onError: (m: string) => void): HTMLElement {
  const admin = client.amAdmin(conversation);
  const run = (p: Promise<void>): void => void p.catch((err: unknown) => onError(err instanceof Error ? err.message : 'Failed.'));
  const candidates = client.contacts().filter((c) => c.status === 'accepted' && !client.members(conversation).some((m) => m.user === c.user));
  const addSelect = h('select', { 'aria-label': 'Contact to add', id: 'add-member' }, ...candidates.map((c) => h('option', { value: c.user }, c.displayName)));
  return h(
    'div',
    { class: 'members', 'aria-label': 'Members' },
    h('h3', {}, 'Members'),
    h(
      'ul',
      {},
      ...client.members(conversation).map((m) =>
        h(
          'li',
          { 'data-member': m.name },
          h('span', {}, m.name, ' ', h('span', { class: `role ${m.role}` }, m.role)),
          admin &&
            m.user !== client.me.user &&
            h(
              'span',
              { class: 'actions' },
              m.role === 'member'
                ? h('button', { type: 'button', onclick: () => run(client.groupAction('promote', conversation, m.user)) }, 'Make admin')
                : h('button', { type: 'button', onclick: () => run(client.groupAction('demote', conversation, m.user)) }, 'Dismiss admin'),
              h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${m.name}`, onclick: () => run(client.groupAction('remove', conversation, m.user)) }, 'Remove'),
            ),
        ),
      ),
    ),
    admin && candidates.length > 0 && h('div', { class: 'row' }, addSelect, h('button', { type: 'button', onclick: () => run(client.groupAction('add', conversation, addSelect.value)) }, 'Add')),
    h('button', { type: 'button', class: 'danger', onclick: () => run(client.leaveGroup(conversation)) }, 'Leave group'),
  );
}

/**
 * Name, description and icon of a group. Admins get a form (the engine refuses the change from
 * anyone else anyway); members see the description only. The caller keeps the element while the
 * user is in it: the conversation re-renders on every change.
 */
// The outcome of the last save per group survives re-renders.
const saveStatus = new Map<string, string>();

export function renderGroupInfo(client: DemoClient, conversation: string): HTMLElement {
  const g = client.group(conversation);
  if (!client.amAdmin(conversation)) {
    return h('section', { class: 'group-info', 'aria-label': 'Group info' }, h('h3', {}, g.name), h('p', { class: 'muted', id: 'group-info-description' }, g.description || 'No description.'));
  }
  const status = h('p', { class: 'small', role: 'status', id: 'group-info-status' }, saveStatus.get(conversation) ?? '');
  const say = (text: string): void => {
    saveStatus.set(conversation, text);
    status.textContent = text;
    const live = document.getElementById('group-info-status');
    if (live !== null) live.textContent = text;
  };
  const name = h('input', { id: 'edit-group-name', name: 'name', required: true, maxlength: 100, value: g.name });
  const description = h('textarea', { id: 'edit-group-description', name: 'description', maxlength: 500, rows: 2 });
  description.value = g.description;
  const icon = h('input', { id: 'edit-group-icon', name: 'icon', type: 'file', accept: 'image/*' });
  const form = h(
    'form',
    { class: 'stack group-info', 'aria-label': 'Group info' },
    h('h3', {}, 'Group info'),
    h('label', { for: 'edit-group-name' }, 'Group name'),
    name,
    h('label', { for: 'edit-group-description' }, 'Group description'),
    description,
    h('label', { for: 'edit-group-icon' }, 'New group icon'),
    icon,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Save group info'), client.chat(conversation).icon !== null && h('button', { type: 'button', id: 'remove-icon', onclick: () => save({ icon: null }) }, 'Remove icon')),
    status,
  );
  const save = (patch: Parameters<DemoClient['updateGroup']>[1]): void => {
    say('Saving…');
    client.updateGroup(conversation, patch).then(
      () => say('Saved.'),
      (err: unknown) => say(err instanceof Error ? err.message : 'Could not save.'),
    );
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void pickedImage(icon).then((picked) => {
      icon.value = '';
      save({ name: name.value.trim(), description: description.value.trim(), ...(picked === undefined ? {} : { icon: picked }) });
    });
  });
  return form;
}
