import { field, h } from '../dom.js';
import type { DemoClient } from '../adapters/client.js';

/** Create a group: name, description, members picked from accepted contacts. */
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
    client
      .createGroup(field(data, 'name').trim(), field(data, 'description').trim(), members)
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
