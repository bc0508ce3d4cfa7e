import { clear, formatTime, h } from '../dom.js';
import type { ChatSummary, DemoClient, PresenceState } from '../adapters/client.js';
import { renderContacts } from './contacts-view.js';
import { renderNewGroup } from './group-view.js';
import { mountConversation } from './conversation-view.js';
import { mountCallOverlay } from './call-view.js';
import { avatar } from './avatar.js';

type Tab = 'chats' | 'archived' | 'contacts' | 'newGroup';

/** The signed-in shell: sidebar (chat list, contacts, new group) and the open conversation. */
export function mountApp(root: HTMLElement, client: DemoClient, signedOut: () => void): void {
  let tab: Tab = 'chats';
  let open: string | null = null;
  let closeConversation: (() => void) | null = null;
  const banner = h('div', { class: 'banner', role: 'status', id: 'sync-banner' });
  const sidePanel = h('div', { class: 'side-panel' });
  const main = h('section', { class: 'main', 'aria-label': 'Conversation' });
  const shell = h('div', { class: 'shell' });

  const presenceSelect = h(
    'select',
    { id: 'presence', 'aria-label': 'Your status' },
    ...(['online', 'away', 'busy', 'offline'] as const).map((s) => h('option', { value: s }, s[0]!.toUpperCase() + s.slice(1))),
  );
  presenceSelect.value = client.presence();
  presenceSelect.addEventListener('change', () => client.setPresence(presenceSelect.value as PresenceState));
  const onlineToggle = h('button', { type: 'button', id: 'toggle-online', class: 'ghost' });
  let online = true;
  onlineToggle.addEventListener('click', () => {
    online = !online;
    void client.setOnline(online);
  });

  const tabButton = (id: Tab, label: string): HTMLButtonElement =>
    h('button', { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-selected': String(tab === id), onclick: () => ((tab = id), renderSide()) }, label);

  const chatItem = (c: ChatSummary): HTMLLIElement =>
    h(
      'li',
      {},
      h(
        'button',
        { type: 'button', class: `chat-item${open === c.id ? ' active' : ''}`, 'data-chat': c.id, 'aria-label': `${c.name}${c.unread > 0 ? `, ${c.unread} unread` : ''}`, onclick: () => openChat(c.id) },
        avatar(c),
        h(
          'span',
          { class: 'chat-text' },
          h('span', { class: 'chat-name' }, c.name, c.pinned && h('span', { class: 'icon', title: 'Pinned', 'aria-label': 'pinned' }, ' 📌'), c.muted && h('span', { class: 'icon', title: 'Muted', 'aria-label': 'muted' }, ' 🔕')),
          h('span', { class: 'chat-preview' }, c.lastText || 'No messages yet'),
        ),
        h('span', { class: 'chat-meta' }, c.lastAt > 0 && h('time', {}, formatTime(c.lastAt)), c.unread > 0 && h('span', { class: 'unread', 'data-unread': c.unread }, c.unread)),
      ),
    );

  const renderSide = (): void => {
    const tabs = h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Sections' }, tabButton('chats', 'Chats'), tabButton('archived', 'Archived'), tabButton('contacts', 'Contacts'), tabButton('newGroup', 'New group'));
    let body: HTMLElement;
    if (tab === 'contacts') body = renderContacts(client, openChat);
    else if (tab === 'newGroup') body = renderNewGroup(client, (id) => ((tab = 'chats'), openChat(id)));
    else {
      const chats = client.chats().filter((c) => c.archived === (tab === 'archived'));
      body = chats.length === 0 ? h('p', { class: 'empty' }, tab === 'archived' ? 'No archived chats.' : 'No chats yet — add a contact to start one.') : h('ul', { class: 'chat-list', 'aria-label': 'Chats' }, ...chats.map(chatItem));
    }
    // The list is redrawn on every change: keep keyboard focus on the same control.
    const focused = document.activeElement;
    const again = focused instanceof HTMLElement && sidePanel.contains(focused) ? sameControl(focused) : null;
    clear(sidePanel, tabs, body);
    again?.()?.focus({ preventScroll: true });
  };
  /** Finds, after a redraw, the control that matches `el` (same chat, id, or same button of the same contact). */
  const sameControl = (el: HTMLElement): (() => HTMLElement | null | undefined) | null => {
    const chat = el.dataset['chat'];
    if (chat !== undefined) return () => sidePanel.querySelector<HTMLElement>(`[data-chat="${CSS.escape(chat)}"]`);
    if (el.id !== '') return () => sidePanel.querySelector<HTMLElement>(`#${CSS.escape(el.id)}`);
    const contact = el.closest<HTMLElement>('[data-contact]')?.dataset['contact'];
    const text = el.textContent;
    if (contact === undefined) return null;
    return () => Array.from(sidePanel.querySelectorAll<HTMLElement>(`[data-contact="${CSS.escape(contact)}"] button`)).find((b) => b.textContent === text);
  };

  const renderBanner = (): void => {
    const s = client.syncState();
    banner.dataset['state'] = s;
    banner.textContent =
      s === 'offline' ? 'You are offline — messages will be sent when you reconnect.' : s === 'connecting' ? 'Connecting…' : s === 'gap' ? 'Some messages may be missing — still fetching them from the relay.' : '';
    banner.hidden = banner.textContent === '';
    onlineToggle.textContent = online ? 'Go offline' : 'Go online';
  };

  function openChat(id: string): void {
    closeConversation?.();
    open = id;
    shell.classList.add('show-main');
    closeConversation = mountConversation(main, client, id, () => {
      shell.classList.remove('show-main');
      open = null;
      renderSide();
      // Back on the list, focus returns to the chat just left.
      sidePanel.querySelector<HTMLElement>(`[data-chat="${CSS.escape(id)}"]`)?.focus();
    });
    renderSide();
  }

  const header = h(
    'header',
    { class: 'side-header' },
    h('span', { class: 'avatar me', 'aria-hidden': 'true' }, client.me.displayName.slice(0, 1).toUpperCase()),
    h('span', { class: 'me-name' }, h('strong', {}, client.me.displayName), h('span', { class: 'muted small' }, `@${client.me.username}`)),
    presenceSelect,
    onlineToggle,
    h('button', { type: 'button', class: 'ghost', onclick: () => void client.signOut().then(signedOut) }, 'Sign out'),
  );
  clear(shell, h('aside', { class: 'side', 'aria-label': 'Chats and contacts' }, header, banner, sidePanel), main);
  clear(main, h('p', { class: 'empty center' }, 'Select a chat'));
  clear(root, shell);
  mountCallOverlay(root, client);
  renderSide();
  renderBanner();
  client.onChange(() => {
    renderBanner();
    if (tab === 'chats' || tab === 'archived' || tab === 'contacts') {
      const focused = document.activeElement;
      if (focused === null || !sidePanel.contains(focused) || focused.tagName === 'BUTTON') renderSide();
    }
  });
}
