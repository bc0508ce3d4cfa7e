import { h } from '../dom.js';
import type { ContactView, DemoClient } from '../adapters/client.js';

const STATUS: Record<ContactView['status'], string> = {
  none: '',
  outgoing: 'Request sent',
  incoming: 'Wants to connect',
  accepted: 'Contact',
  declined: 'Declined',
  blocked: 'Blocked',
};

/** Search a username, send requests, accept/decline, block/unblock, safety numbers. */
// The last outcome survives re-renders of the list (the list re-renders on every change).
let lastStatus = '';

export function renderContacts(client: DemoClient, openChat: (id: string) => void): HTMLElement {
  const status = h('p', { class: 'small', role: 'status', id: 'contact-status' }, lastStatus);
  const say = (text: string): void => {
    lastStatus = text;
    const live = document.getElementById('contact-status');
    if (live !== null) live.textContent = text;
    status.textContent = text;
  };
  const input = h('input', { id: 'contact-search', type: 'search', placeholder: 'Username', 'aria-label': 'Find a username', autocomplete: 'off' });
  const form = h('form', { class: 'row', role: 'search' }, input, h('button', { type: 'submit', class: 'primary' }, 'Add'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = input.value.trim();
    if (name === '') return;
    say('Searching…');
    client
      .lookup(name)
      .then(async (user) => {
        await client.contact('request', user);
        say(`Request sent to @${name}.`);
        input.value = '';
      })
      .catch((err: unknown) => say(err instanceof Error ? err.message : 'Search failed.'));
  });
  const act = (action: Parameters<DemoClient['contact']>[0], user: string) => (): void =>
    void client.contact(action, user).catch((err: unknown) => say(err instanceof Error ? err.message : 'Failed.'));
  const item = (c: ContactView): HTMLLIElement => {
    const safety = h('p', { class: 'safety small', hidden: true });
    return h(
      'li',
      { class: 'contact', 'data-contact': c.username },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, (c.displayName || c.username).slice(0, 1).toUpperCase()),
      h('span', { class: 'chat-text' }, h('span', { class: 'chat-name' }, c.displayName || c.username), h('span', { class: 'chat-preview' }, `@${c.username} · ${c.blocked ? 'Blocked' : STATUS[c.status]}`), safety),
      h(
        'span',
        { class: 'actions' },
        c.status === 'incoming' && !c.blocked && h('button', { type: 'button', class: 'primary', onclick: act('accept', c.user) }, 'Accept'),
        c.status === 'incoming' && !c.blocked && h('button', { type: 'button', onclick: act('decline', c.user) }, 'Decline'),
        c.status === 'accepted' && !c.blocked && h('button', { type: 'button', class: 'primary', onclick: () => void client.openDirect(c.user).then(openChat) }, 'Message'),
        h(
          'button',
          {
            type: 'button',
            title: `Safety number with ${c.username}`,
            onclick: () =>
              void client.safetyNumber(c.user).then((n) => {
                safety.textContent = `Safety number: ${n}`;
                safety.hidden = !safety.hidden;
              }),
          },
          'Safety number',
        ),
        c.blocked ? h('button', { type: 'button', onclick: act('unblock', c.user) }, 'Unblock') : h('button', { type: 'button', class: 'danger', onclick: act('block', c.user) }, 'Block'),
      ),
    );
  };
  const contacts = client.contacts();
  return h(
    'div',
    { class: 'contacts' },
    form,
    status,
    contacts.length === 0 ? h('p', { class: 'empty' }, 'No contacts yet.') : h('ul', { class: 'contact-list', 'aria-label': 'Contacts' }, ...contacts.map(item)),
  );
}
