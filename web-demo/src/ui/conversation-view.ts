import { clear, formatBytes, formatDay, formatTime, h } from '../dom.js';
import type { ChatMessage, DemoClient } from '../adapters/client.js';
import { avatar } from './avatar.js';
import { renderGroupInfo, renderMembers } from './group-view.js';

const EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'];
const TICK: Record<string, string> = { queued: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓' };

/** One conversation: history with infinite scroll back, composer, reply/edit/delete/react. */
export function mountConversation(root: HTMLElement, client: DemoClient, id: string, back: () => void): () => void {
  let messages: ChatMessage[] = [];
  let oldest: string | undefined;
  let exhausted = false;
  let replyTo: ChatMessage | null = null;
  let editing: ChatMessage | null = null;
  let showMembers = false;
  // Whether the list follows its newest message (the user has not scrolled up).
  let stick = true;
  let lastTop = 0;
  // The group info form, kept while the user edits it (see renderHeader).
  let info: HTMLElement | null = null;
  let infoKey = '';
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let lastTypingSent = 0;
  let disposed = false;

  const list = h('ol', { class: 'messages', 'aria-label': 'Messages', tabindex: 0 });
  const typing = h('p', { class: 'typing small', role: 'status', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert' });
  const context = h('div', { class: 'composer-context' });
  const input = h('textarea', { id: 'composer', rows: 1, placeholder: 'Message', 'aria-label': 'Message', maxlength: 65536 });
  const fileInput = h('input', { type: 'file', id: 'attach', class: 'visually-hidden', 'aria-label': 'Attach a file' });
  const uploads = h('div', { class: 'uploads', 'aria-live': 'polite' });
  const composer = h(
    'form',
    { class: 'composer' },
    uploads,
    context,
    h('div', { class: 'row' }, h('label', { for: 'attach', class: 'attach-button', title: 'Attach a file' }, 'Attach'), fileInput, input, h('button', { type: 'submit', class: 'primary', 'aria-label': 'Send' }, 'Send')),
  );
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (file === undefined) return;
    const caption = input.value.trim();
    input.value = '';
    // The bar follows the bytes of the encrypted upload as the browser sends them.
    const bar = h('progress', { 'aria-label': `Uploading ${file.name}`, max: file.size, value: 0 });
    const label = h('span', {}, `Encrypting ${file.name}…`);
    const row = h('div', { class: 'upload small', role: 'status', 'data-upload': file.name }, label, bar);
    uploads.append(row);
    const progress = (sent: number, total: number): void => {
      bar.max = total;
      bar.value = sent;
      label.textContent = `Uploading ${file.name}: ${formatBytes(sent)} of ${formatBytes(total)}`;
    };
    file
      .arrayBuffer()
      .then((buf) => client.sendFile(id, { bytes: new Uint8Array(buf), mime: file.type || 'application/octet-stream', name: file.name }, caption, progress))
      .then(() => refresh())
      .catch(fail)
      .finally(() => row.remove());
  });
  const title = h('div', { class: 'conv-title' });
  const side = h('div', { class: 'conv-side' });

  const fail = (err: unknown): void => void (error.textContent = err instanceof Error ? err.message : 'Something went wrong.');

  const renderContext = (): void => {
    const m = editing ?? replyTo;
    clear(
      context,
      m !== null &&
        h(
          'div',
          { class: 'quote' },
          h('span', {}, editing !== null ? 'Editing' : `Replying to ${m.authorName}`, ': ', m.text.slice(0, 80)),
          h('button', { type: 'button', class: 'ghost', 'aria-label': 'Cancel', onclick: () => ((replyTo = null), (editing = null), (input.value = ''), renderContext()) }, '✕'),
        ),
    );
  };

  // The message whose reaction picker is open: kept across re-renders (every change redraws the list).
  let pickerFor: string | null = null;
  const messageItem = (m: ChatMessage): HTMLLIElement => {
    const react = (e: string): void => {
      pickerFor = null;
      picker.hidden = true;
      void client.react(id, m.id, m.reactions.some((r) => r.mine && r.emoji === e) ? null : e).catch(fail);
    };
    const picker = h(
      'div',
      { class: 'picker', hidden: pickerFor !== m.id, role: 'group', 'aria-label': 'Reactions' },
      ...EMOJI.map((e) => h('button', { type: 'button', 'aria-label': `React ${e}`, onclick: () => react(e) }, e)),
    );
    const receipts = m.receipts.length > 1 ? m.receipts.map((r) => `${r.name}: ${r.status}`).join(', ') : '';
    return h(
      'li',
      { class: `msg${m.mine ? ' mine' : ''}${m.deleted ? ' deleted' : ''}`, 'data-id': m.id, 'data-text': m.text, tabindex: -1, 'aria-label': `${m.authorName}, ${formatTime(m.sentAt)}` },
      !m.mine && h('span', { class: 'author small' }, m.authorName),
      m.replyTo !== null && h('blockquote', { class: 'quoted small' }, h('strong', {}, m.replyTo.authorName), ' ', m.replyTo.text),
      ...m.attachments.map((a) => attachmentItem(m, a)),
      (m.deleted || (m.text !== '' && !m.attachments.some((a) => a.name === m.text))) && h('p', { class: 'body' }, m.deleted ? 'This message was deleted' : m.text),
      h(
        'span',
        { class: 'meta small' },
        m.edited && !m.deleted && h('span', { class: 'edited' }, 'edited · '),
        h('time', { datetime: new Date(m.sentAt).toISOString() }, formatTime(m.sentAt)),
        m.tick !== null && h('span', { class: `tick ${m.tick}`, 'data-tick': m.tick, title: receipts || m.tick, 'aria-label': m.tick }, ' ', TICK[m.tick]),
      ),
      m.reactions.length > 0 && h('span', { class: 'reactions' }, ...m.reactions.map((r) => h('span', { class: `reaction${r.mine ? ' mine' : ''}`, 'data-emoji': r.emoji }, `${r.emoji} ${r.count}`))),
      !m.deleted &&
        h(
          'span',
          { class: 'msg-actions' },
          h('button', { type: 'button', class: 'ghost', 'aria-label': 'Reply', onclick: () => ((replyTo = m), (editing = null), renderContext(), input.focus()) }, '↩'),
          h('button', { type: 'button', class: 'ghost', 'aria-label': 'React', onclick: () => ((pickerFor = pickerFor === m.id ? null : m.id), (picker.hidden = pickerFor !== m.id)) }, '☺'),
          m.mine && h('button', { type: 'button', class: 'ghost', 'aria-label': 'Edit', onclick: () => ((editing = m), (replyTo = null), (input.value = m.text), renderContext(), input.focus()) }, '✎'),
          m.mine && h('button', { type: 'button', class: 'ghost', 'aria-label': 'Delete for everyone', onclick: () => void client.remove(id, m.id).catch(fail) }, '✕'),
        ),
      picker,
    );
  };

  const attachmentItem = (m: ChatMessage, a: ChatMessage['attachments'][number]): HTMLElement => {
    if (a.image) {
      const img = h('img', { class: 'attachment-image', alt: a.name, 'data-attachment': a.name });
      img.addEventListener('load', () => stick && (list.scrollTop = list.scrollHeight));
      void client.attachmentUrl(id, m.id, a.id).then((url) => (img.src = url), fail);
      return h('figure', { class: 'attachment' }, img, h('figcaption', { class: 'small muted' }, `${a.name} · ${formatBytes(a.size)}`));
    }
    const link = h('a', { class: 'attachment-file', 'data-attachment': a.name, download: a.name, href: '#' }, `📄 ${a.name}`, h('span', { class: 'small muted' }, ` ${formatBytes(a.size)}`));
    link.addEventListener('click', (e) => {
      if (link.getAttribute('href') !== '#') return;
      e.preventDefault();
      void client.attachmentUrl(id, m.id, a.id).then((url) => {
        link.href = url;
        link.click();
      }, fail);
    });
    return h('div', { class: 'attachment' }, link);
  };

  const callItem = (c: ReturnType<DemoClient['callLog']>[number]): HTMLElement => {
    const label = `${c.outgoing ? 'Outgoing' : 'Incoming'} ${c.kind} call`;
    const duration = c.durationMs === null ? '' : ` · ${Math.floor(c.durationMs / 60000)}:${String(Math.floor(c.durationMs / 1000) % 60).padStart(2, '0')}`;
    return h('li', { class: `call-log ${c.status}`, 'data-call-status': c.status }, c.kind === 'video' ? '🎥 ' : '📞 ', `${label} · ${c.status}${duration} · ${formatTime(c.startedAt)}`);
  };
  const shareItem = (s: ReturnType<DemoClient['callLog']>[number]['screenShares'][number]): HTMLElement => {
    const d = s.durationMs === null ? ' · sharing now' : ` · ${Math.floor(s.durationMs / 60000)}:${String(Math.floor(s.durationMs / 1000) % 60).padStart(2, '0')}`;
    return h('li', { class: 'call-log share', 'data-screen-share': s.durationMs === null ? 'live' : 'ended' }, '🖥️ ', `${s.by} shared the screen${d} · ${formatTime(s.startedAt)}`);
  };

  const renderMessages = (): void => {
    // Keep keyboard focus on the same message (and button) across the redraw.
    const focused = document.activeElement;
    const focusedMsg = focused instanceof HTMLElement && list.contains(focused) ? focused.closest<HTMLElement>('.msg') : null;
    const focusedId = focusedMsg?.dataset['id'];
    const focusedLabel = focused !== focusedMsg ? focused?.getAttribute('aria-label') : null;
    const items: HTMLElement[] = [];
    if (!exhausted && messages.length > 0) items.push(h('li', { class: 'load-more' }, h('button', { type: 'button', class: 'link', onclick: () => void loadOlder() }, 'Load earlier messages')));
    let day = '';
    const from = exhausted ? 0 : (messages[0]?.sentAt ?? Infinity);
    const entries: Array<{ at: number; el: () => HTMLElement }> = [
      ...messages.map((m) => ({ at: m.sentAt, el: () => messageItem(m) })),
      ...client
        .callLog(id)
        .filter((c) => c.startedAt >= from)
        .flatMap((c) => [{ at: c.startedAt, el: () => callItem(c) }, ...c.screenShares.map((s) => ({ at: s.startedAt, el: () => shareItem(s) }))]),
    ].sort((a, b) => a.at - b.at);
    for (const e of entries) {
      const d = formatDay(e.at);
      if (d !== day) items.push(h('li', { class: 'day', role: 'separator' }, (day = d)));
      items.push(e.el());
    }
    if (messages.length === 0) items.push(h('li', { class: 'empty' }, 'No messages yet. Say hi!'));
    const prevTop = list.scrollTop;
    clear(list, ...items);
    list.scrollTop = stick ? list.scrollHeight : prevTop;
    if (focusedId !== undefined) {
      const again = list.querySelector<HTMLElement>(`.msg[data-id="${CSS.escape(focusedId)}"]`);
      const button = focusedLabel == null ? null : again?.querySelector<HTMLElement>(`[aria-label="${CSS.escape(focusedLabel)}"]`);
      (button ?? again ?? list).focus({ preventScroll: true });
    }
  };
  // Up/Down move between messages (each then shows its actions, reachable with Tab).
  list.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    const all = Array.from(list.querySelectorAll<HTMLElement>('.msg'));
    if (all.length === 0) return;
    const current = document.activeElement instanceof HTMLElement ? document.activeElement.closest<HTMLElement>('.msg') : null;
    const at = current === null ? all.length : all.indexOf(current);
    const next = all[Math.max(0, Math.min(all.length - 1, at + (e.key === 'ArrowUp' ? -1 : 1)))];
    e.preventDefault();
    next?.focus();
  });

  const renderHeader = (): void => {
    const c = client.chat(id);
    clear(
      title,
      h('button', { type: 'button', class: 'ghost back', 'aria-label': 'Back to chats', onclick: back }, '←'),
      avatar(c),
      h('span', { class: 'chat-text' }, h('h2', { id: 'conv-name' }, c.name), h('span', { class: 'small muted', id: 'conv-presence' }, c.presence === null ? client.group(id).description || 'Group' : c.presence === 'offline' && c.lastSeen !== null ? `last seen ${formatTime(c.lastSeen)}` : c.presence)),
      h('button', { type: 'button', class: 'ghost', 'aria-pressed': String(c.pinned), 'aria-label': c.pinned ? 'Unpin' : 'Pin', onclick: () => void client.setChatState(id, { pinned: !c.pinned }).catch(fail) }, c.pinned ? 'Unpin' : 'Pin'),
      h('button', { type: 'button', class: 'ghost', 'aria-pressed': String(c.muted), 'aria-label': c.muted ? 'Unmute' : 'Mute', onclick: () => void client.setChatState(id, { muted: !c.muted }).catch(fail) }, c.muted ? 'Unmute' : 'Mute'),
      h('button', { type: 'button', class: 'ghost', 'aria-label': c.archived ? 'Unarchive' : 'Archive', onclick: () => void client.setChatState(id, { archived: !c.archived }).catch(fail) }, c.archived ? 'Unarchive' : 'Archive'),
      c.kind === 'direct' && h('button', { type: 'button', class: 'ghost', onclick: () => void client.startCall(id, 'voice').catch(fail) }, 'Voice call'),
      c.kind === 'direct' && h('button', { type: 'button', class: 'ghost', onclick: () => void client.startCall(id, 'video').catch(fail) }, 'Video call'),
      c.kind === 'group' && h('button', { type: 'button', class: 'ghost', id: 'toggle-members', 'aria-expanded': String(showMembers), onclick: () => ((showMembers = !showMembers), renderHeader()) }, 'Members'),
    );
    if (!(showMembers && c.kind === 'group')) return clear(side);
    // The info form is rebuilt only when the group changed and the user is not typing in it.
    const g = client.group(id);
    const key = `${g.name}|${g.description}|${c.icon !== null}|${client.amAdmin(id)}`;
    if (info === null || (key !== infoKey && !info.contains(document.activeElement))) {
      info = renderGroupInfo(client, id);
      infoKey = key;
    }
    clear(side, info, renderMembers(client, id, (m) => (error.textContent = m)));
  };

  let marked = '';
  const markRead = (): void => {
    const last = [...messages].reverse().find((m) => !m.mine);
    if (last === undefined || last.id <= marked || document.visibilityState !== 'visible') return;
    marked = last.id;
    void client.markRead(id, last.id).catch(() => (marked = ''));
  };

  const refresh = async (): Promise<void> => {
    const latest = await client.page(id);
    let all = latest;
    // Keep the older pages the user scrolled back to.
    while (oldest !== undefined && all.length > 0 && all[0]!.id > oldest) {
      const more = await client.page(id, all[0]!.id);
      if (more.length === 0) break;
      all = [...more, ...all];
    }
    if (disposed) return;
    if (oldest === undefined && latest.length < 30) exhausted = true;
    messages = all;
    renderHeader();
    renderMessages();
    markRead();
  };

  const loadOlder = async (): Promise<void> => {
    const first = messages[0];
    if (first === undefined || exhausted) return;
    const more = await client.page(id, first.id);
    if (more.length === 0) exhausted = true;
    const before = list.scrollHeight;
    messages = [...more, ...messages];
    oldest = messages[0]?.id;
    renderMessages();
    list.scrollTop = list.scrollHeight - before;
  };
  list.addEventListener('scroll', () => {
    // Follow the newest message until the user scrolls up; scrolling back down to the bottom
    // follows again. (Our own scrolls only go down, so a late event from one never unsticks.)
    const near = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    if (list.scrollTop < lastTop) stick = near;
    else if (near) stick = true;
    lastTop = list.scrollTop;
    if (list.scrollTop < 20) void loadOlder();
  });

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (text === '') return;
    error.textContent = '';
    const p = editing !== null ? client.edit(id, editing.id, text) : client.send(id, text, replyTo?.id);
    if (editing === null) stick = true;
    input.value = '';
    replyTo = null;
    editing = null;
    renderContext();
    p.then(() => refresh()).catch(fail);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      composer.requestSubmit();
    } else if (e.key === 'Escape') {
      // Escape cancels a reply or edit; with none, at phone width it goes back to the list.
      if (replyTo === null && editing === null && title.querySelector<HTMLElement>('.back')?.offsetParent != null) back();
      replyTo = null;
      editing = null;
      renderContext();
    }
  });
  input.addEventListener('input', () => {
    if (Date.now() - lastTypingSent > 2000) {
      lastTypingSent = Date.now();
      client.typing(id);
    }
  });

  // One refresh at a time; changes during one cause exactly one more (a burst of arrivals
  // redraws a few times, not once per message).
  let refreshing = false;
  let again = false;
  const scheduleRefresh = (): void => {
    if (refreshing) return void (again = true);
    refreshing = true;
    void refresh()
      .catch(fail)
      .finally(() => {
        refreshing = false;
        if (again && !disposed) {
          again = false;
          scheduleRefresh();
        }
      });
  };
  const offChange = client.onChange(scheduleRefresh);
  const offTyping = client.onTyping((conv, name) => {
    if (conv !== id) return;
    typing.textContent = `${name} is typing…`;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => (typing.textContent = ''), 3000);
  });
  const onVisible = (): void => markRead();
  document.addEventListener('visibilitychange', onVisible);

  clear(root, h('header', { class: 'conv-header' }, title), h('div', { class: 'conv-body' }, h('div', { class: 'conv-main' }, list, typing, error, composer), side));
  renderHeader();
  void refresh().catch(fail);
  input.focus();
  return () => {
    disposed = true;
    offChange();
    offTyping();
    clearTimeout(typingTimer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
