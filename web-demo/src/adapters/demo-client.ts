import type { Attachment, ConversationId, DecodeSandbox, Kith, MessageId, SyncClient, UserId } from '@kith/core';
import { createCallLog } from './call-log.js';
import { createChatSummaries, type Summary } from './chat-summaries.js';
import { callPreviewText } from './call-preview.js';
import { openSharedNote } from './shared-note.js';
import { createIconCache, encodeGroupIcon, shrinkImage } from './group-icon.js';
import { toChatMessage, type MessageViewContext } from './message-view.js';
import type { OfflineGate } from './offline-gate.js';
import type { ProgressTransport } from './upload-progress.js';
import { createCallController } from './webrtc-calls.js';
import { createUsernameBook } from './username-book.js';
import { createGroupEvents } from './group-events.js';
import type { ChatSummary, ContactView, DemoClient, IncomingMessage, FileInput, PresenceState, UploadProgress } from './client.js';

export interface DemoClientParts {
  readonly kith: Kith;
  readonly sync: SyncClient;
  readonly account: { readonly username: string; readonly displayName: string };
  readonly gate: OfflineGate;
  readonly uploads: ProgressTransport;
  readonly sandbox: DecodeSandbox;
  /** The IndexedDB name of the relational projection (chat list summaries). */
  readonly projectionDb: string;
  /** Forgets which account this profile reopens (sign out). */
  readonly forget: () => void;
}

const PAGE = 30;
const ANSWER_MS = 3000;

/** The DemoClient over a running engine and sync client: everything the UI calls, as plain data. */
export async function createDemoClient(parts: DemoClientParts): Promise<DemoClient> {
  const { kith, sync, account, gate, uploads, sandbox } = parts;
  const me = kith.user;
  const listeners = new Set<() => void>();
  const typingListeners = new Set<(c: string, name: string) => void>();
  const presenceOf = new Map<string, PresenceState>();
  const lastSeen = new Map<string, number>();
  const pending = new Set<string>();
  let myPresence: PresenceState = 'online';
  let scheduled = false;
  const changed = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      for (const l of listeners) l();
    });
  };
  for (const e of ['message', 'messageEdited', 'messageDeleted', 'reaction', 'receipt', 'membership', 'call', 'contact', 'profile', 'conversation'] as const) kith.on(e, changed);
  // Delivery receipts are watermarks: one per conversation for a burst of arrivals (a backlog of
  // 500 messages is one receipt, not 500 engine writes).
  const toDeliver = new Map<ConversationId, MessageId>();
  let deliverTimer: ReturnType<typeof setTimeout> | undefined;
  const incoming = new Set<(m: IncomingMessage) => void>();
  const openedAt = Date.now();
  kith.on('message', ({ conversation, message }) => {
    if (message.author === me) return;
    // History a new device restores, or a backlog from before this session, is not news.
    if (message.sentAt >= openedAt - 60_000 && incoming.size > 0) {
      const chat = client.chat(conversation);
      const m: IncomingMessage = { conversation, chatName: chat.name, authorName: nameOf(message.author), text: message.deleted ? '' : message.text, muted: chat.muted };
      for (const l of incoming) l(m);
    }
    const prev = toDeliver.get(conversation);
    if (prev === undefined || message.id > prev) toDeliver.set(conversation, message.id);
    deliverTimer ??= setTimeout(() => {
      deliverTimer = undefined;
      const batch = [...toDeliver];
      toDeliver.clear();
      for (const [conv, id] of batch) void kith.receipts.markDelivered(conv, id).catch(() => undefined);
    }, 100);
  });
  const contactsToTell = (): UserId[] => kith.contacts.list().filter((c) => c.status === 'accepted').map((c) => c.user);
  sync.onState((s) => {
    if ((s === 'upToDate' || s === 'gap') && !gate.offline) {
      pending.clear();
      const all = contactsToTell();
      for (const u of all) told.add(u);
      sync.setPresence(myPresence, all);
    }
    changed();
  });
  const answered = new Map<string, number>();
  const heardFrom = new Set<string>();
  // A new device learns its contacts after its first sync: tell each one as it appears.
  const told = new Set<UserId>();
  kith.on('contact', () => {
    const fresh = contactsToTell().filter((u) => !told.has(u));
    if (fresh.length === 0 || gate.offline || sync.state !== 'upToDate') return;
    for (const u of fresh) told.add(u);
    sync.setPresence(myPresence, fresh);
  });
  sync.onPresence((e) => {
    const before = presenceOf.get(e.user);
    if (e.state === 'offline' && before !== 'offline') lastSeen.set(e.user, Date.now());
    presenceOf.set(e.user, e.state);
    // Presence is announced on change only, so a contact who just came online (a reload: they
    // were offline or unknown) or announced again while online (a new device of theirs) has not
    // heard ours: answer. An answer to an answer comes within ANSWER_MS and is not answered
    // again, which ends the exchange.
    // Per device: a contact's second device announcing within ANSWER_MS of an exchange with
    // their first one has not heard ours either (issue 17 problems 2 and 6).
    const device = `${e.user}/${e.device}`;
    const cameOnline = before === undefined || before === 'offline' || !heardFrom.has(device);
    heardFrom.add(device);
    if (e.state !== 'offline' && !gate.offline && contactsToTell().includes(e.user as UserId) && (cameOnline || Date.now() - (answered.get(device) ?? -Infinity) > ANSWER_MS)) {
      answered.set(device, Date.now());
      sync.setPresence(myPresence, [e.user as UserId]);
    }
    changed();
  });
  const dec = new TextDecoder();
  sync.onSignal((e) => {
    if (e.kind !== 'typing') return;
    const conv = dec.decode(e.payload);
    for (const l of typingListeners) l(conv, nameOf(e.from));
  });

  // Usernames this device looked up (a contact request's row has a name before the profile arrives).
  const usernames = createUsernameBook(me);
  const nameOf = (u: UserId): string => {
    if (u === me) return 'You';
    const p = kith.profile.get(u);
    return p.displayName || p.username || usernames.get(u) || u.slice(0, 8);
  };
  const lastSeenRead = (conv: ConversationId): string | null => kith.receipts.forMember(conv, me).read;

  const messageContext: MessageViewContext = {
    kith,
    nameOf: (u) => nameOf(u),
    localTick: (m) => (pending.has(m.id) ? 'queued' : gate.offline || sync.state === 'offline' || sync.state === 'connecting' ? 'sent' : null),
  };

  // Offline is the user's switch or the browser's network (the `offline` event fires at once,
  // where a dead socket would take the sync client's timeouts to notice).
  let userOffline = false;
  let networkOffline = typeof navigator !== 'undefined' && navigator.onLine === false;
  const applyOffline = async (): Promise<void> => {
    const next = userOffline || networkOffline;
    if (next === gate.offline) return changed();
    gate.setOffline(next);
    if (!next) {
      // Skip the backoff timer: reconnect now.
      await sync.stop();
      sync.start();
    }
    changed();
  };
  const onNetwork = (): void => {
    networkOffline = navigator.onLine === false;
    void applyOffline();
  };
  globalThis.addEventListener?.('offline', onNetwork);
  globalThis.addEventListener?.('online', onNetwork);
  if (networkOffline) gate.setOffline(true);

  const calls = createCallController(kith, sync, (u) => nameOf(u));
  const urls = new Map<string, string>();
  const callLog = createCallLog(kith, (u) => nameOf(u));
  const groupEvents = createGroupEvents(kith, (u) => nameOf(u));
  for (const c of kith.conversations.list()) if (c.kind === 'group') groupEvents.noteRoles(c.id);
  kith.on('membership', ({ conversation }) => groupEvents.noteRoles(conversation));
  const authorOf = (conv: string, sender: string): string => {
    if (sender === me) return 'You: ';
    const c = kith.conversations.list().find((x) => x.id === conv);
    return c?.kind === 'group' ? `${nameOf(sender as UserId)}: ` : '';
  };
  // A call newer than the last message is the chat's preview ("Missed voice call"), as in WhatsApp.
  const callPreview = (conv: ConversationId, s: Summary): Summary => {
    const last = callLog(conv).at(-1);
    if (last === undefined || last.startedAt <= s.lastAt) return s;
    const text = callPreviewText(last);
    return text === null ? s : { ...s, lastText: text, lastAt: last.startedAt };
  };
  const summaries = await createChatSummaries(kith, parts.projectionDb, changed, authorOf);
  const icons = createIconCache(sync, changed);
  const refreshAll = (): void => void summaries.refresh().catch(() => undefined);
  listeners.add(refreshAll);
  refreshAll();
  const uploadFile = async (c: ConversationId, file: FileInput, progress?: UploadProgress): Promise<Attachment> => {
    const stop = progress === undefined ? () => undefined : uploads.expect(progress);
    try {
      const up = await sync.uploadAttachment(c, file);
      if (!up.ok) throw new Error(up.error.code === 'offline' ? 'Attachments need a connection.' : up.error.code === 'too_large' ? 'That file is too large.' : `Upload failed (${up.error.code}).`);
      return up.value;
    } finally {
      stop();
    }
  };
  const uploadIcon = async (c: ConversationId, file: FileInput): Promise<string> => {
    const bytes = await shrinkImage(file.bytes, file.mime).catch(() => {
      throw new Error('That file is not an image this browser can read.');
    });
    return encodeGroupIcon(await uploadFile(c, { bytes, mime: 'image/png', name: 'icon.png' }));
  };

  // Counters only (no content, no keys), for the browser tests' diagnostics.
  (globalThis as { kithDemoStats?: () => unknown }).kithDemoStats = () => ({
    sync: { ...sync.stats, state: sync.state },
    engine: kith.stats(),
    conversations: kith.conversations.list().map((c) => c.kind),
    gaps: kith.gaps().length,
    outbox: kith.outbox().length,
    sandbox: sandbox.stats(),
  });

  const client: DemoClient = {
    engine: { kith, sync },
    nameOf: (u) => nameOf(u as UserId),
    get me() {
      return { user: me, username: account.username, displayName: kith.profile.get().displayName || account.displayName || account.username };
    },
    syncState: () => (gate.offline ? 'offline' : sync.state),
    onChange(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    onIncoming(l) {
      incoming.add(l);
      return () => void incoming.delete(l);
    },
    onTyping(l) {
      typingListeners.add(l);
      return () => void typingListeners.delete(l);
    },
    async lookup(username) {
      const r = await sync.lookup(username.trim().toLowerCase());
      if (!r.ok) throw new Error(r.error.code === 'not_found' ? `No user named “${username}”.` : `Search failed (${r.error.code}).`);
      usernames.remember(r.value, username.trim().toLowerCase());
      return r.value;
    },
    contacts(): ContactView[] {
      return kith.contacts.list().map((c) => {
        const p = kith.profile.get(c.user);
        const username = p.username || (usernames.get(c.user) ?? '');
        return { user: c.user, username, displayName: p.displayName || (username === '' ? '' : `@${username}`), status: c.status, blocked: c.blocked };
      });
    },
    async contact(action, user) {
      await kith.contacts[action](user as UserId);
    },
    async safetyNumber(user) {
      const ids = [me, user].sort().join('|');
      const hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(`kith-safety|${ids}`)));
      const groups: string[] = [];
      for (let i = 0; i < 12; i++) groups.push(String(((hash[i * 2]! << 8) | hash[i * 2 + 1]!) % 100000).padStart(5, '0'));
      return groups.join(' ');
    },
    chats(): ChatSummary[] {
      return kith.conversations
        .list()
        .map((c) => client.chat(c.id))
        .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.lastAt - a.lastAt);
    },
    searchMessages: (text, query) => summaries.searchMessages(text, query),
    searchChats: (text) => summaries.searchChats(text),
    chat(id) {
      const c = kith.conversations.get(id as ConversationId);
      const s = callPreview(c.id, summaries.get(id) ?? { lastText: '', lastAt: 0, unread: 0 });
      const icon = c.kind === 'group' ? icons.url(c.id, kith.groups.get(c.id).icon) : null;
      const muted = c.state.mutedUntil !== null && c.state.mutedUntil > Date.now();
      const name = c.kind === 'direct' && c.peer !== null ? nameOf(c.peer) : c.name || 'Group';
      return { id, kind: c.kind === 'direct' ? 'direct' : 'group', name, peer: c.peer, pinned: c.state.pinned, archived: c.state.archived, muted, ...s, presence: c.peer === null ? null : (presenceOf.get(c.peer) ?? 'offline'), icon, lastSeen: c.peer === null ? null : (lastSeen.get(c.peer) ?? null) };
    },
    async openDirect(user) {
      return (await kith.conversations.openDirect(user as UserId)).id;
    },
    async createGroup(name, description, members, icon) {
      const { id } = await kith.groups.create({ name, description, members: members as UserId[] });
      if (icon !== undefined) await kith.groups.update(id, { icon: await uploadIcon(id, icon) });
      return id;
    },
    group(conv) {
      const g = kith.groups.get(conv as ConversationId);
      return { name: g.name, description: g.description };
    },
    async updateGroup(conv, patch) {
      const c = conv as ConversationId;
      if (!client.amAdmin(conv)) throw new Error('Only admins can change the group.');
      const icon = patch.icon === undefined ? undefined : patch.icon === null ? null : await uploadIcon(c, patch.icon);
      await kith.groups.update(c, {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(icon === undefined ? {} : { icon }),
      });
    },
    members(conv) {
      return kith.groups.members(conv as ConversationId).map((m) => ({ user: m.user, name: nameOf(m.user), role: m.role }));
    },
    async groupAction(action, conv, user) {
      const c = conv as ConversationId;
      const u = user as UserId;
      if (action === 'add') await kith.groups.addMember(c, u);
      else if (action === 'remove') await kith.groups.removeMember(c, u);
      else await kith.groups.setRole(c, u, action === 'promote' ? 'admin' : 'member');
    },
    async leaveGroup(conv) {
      await kith.groups.leave(conv as ConversationId);
    },
    amAdmin(conv) {
      return kith.groups.members(conv as ConversationId).some((m) => m.user === me && m.role === 'admin');
    },
    async page(conv, before) {
      const c = conv as ConversationId;
      const list = await kith.messages.page(c, before === undefined ? { limit: PAGE } : { before: before as MessageId, limit: PAGE });
      const byId = new Map(list.map((m) => [m.id as string, m]));
      return Promise.all(list.map((m) => toChatMessage(messageContext, c, m, byId)));
    },
    async send(conv, text, replyTo) {
      const online = !gate.offline && sync.state !== 'offline' && sync.state !== 'connecting';
      const m = await kith.messages.send(conv as ConversationId, replyTo === undefined ? text : { text, replyTo: replyTo as MessageId });
      if (!online) pending.add(m.id);
      refreshAll();
    },
    async sendFile(conv, file, caption, progress) {
      const c = conv as ConversationId;
      const attachment = await uploadFile(c, file, progress);
      // The engine requires non-empty text (message_empty): an uncaptioned file carries its name.
      await kith.messages.send(c, { text: caption === '' ? file.name : caption, attachments: [attachment] });
      refreshAll();
    },
    async attachmentUrl(conv, messageId, attachmentId, progress) {
      const cached = urls.get(attachmentId);
      if (cached !== undefined) return cached;
      const c = conv as ConversationId;
      const m = await kith.messages.get(c, messageId as MessageId);
      const a = m?.attachments.find((x) => x.id === attachmentId);
      if (a === undefined) throw new Error('Attachment not found.');
      const stop = progress === undefined ? () => undefined : uploads.expectDownload(a.blob, progress);
      const r = await sync.downloadAttachment(c, a).finally(stop);
      if (!r.ok) throw new Error(`Download failed (${r.error.code}).`);
      const url = URL.createObjectURL(new Blob([r.value as Uint8Array<ArrayBuffer>], { type: a.mime }));
      urls.set(attachmentId, url);
      return url;
    },
    async edit(conv, id, text) {
      await kith.messages.edit(conv as ConversationId, id as MessageId, text);
    },
    async remove(conv, id) {
      await kith.messages.delete(conv as ConversationId, id as MessageId);
    },
    async hide(conv, id) {
      await kith.messages.hide(conv as ConversationId, id as MessageId);
    },
    async react(conv, id, emoji) {
      await kith.messages.react(conv as ConversationId, id as MessageId, emoji);
    },
    async markRead(conv, id) {
      const read = lastSeenRead(conv as ConversationId);
      if (read !== null && read >= id) return;
      await kith.receipts.markRead(conv as ConversationId, id as MessageId);
      await summaries.refresh();
    },
    async setChatState(conv, patch) {
      await kith.conversations.setState(conv as ConversationId, {
        ...(patch.pinned === undefined ? {} : { pinned: patch.pinned }),
        ...(patch.archived === undefined ? {} : { archived: patch.archived }),
        ...(patch.muted === undefined ? {} : { mutedUntil: patch.muted ? Date.now() + 365 * 86_400_000 : null }),
      });
    },
    typing(conv) {
      const c = kith.conversations.get(conv as ConversationId);
      const to = c.kind === 'direct' && c.peer !== null ? [c.peer] : kith.groups.members(c.id).map((m) => m.user).filter((u) => u !== me);
      const payload = new TextEncoder().encode(conv);
      for (const u of to) void sync.signal(u, 'typing', payload);
    },
    call: () => calls.current(),
    onCall: (l) => calls.onChange(l),
    async startCall(conv, kind) {
      const c = kith.conversations.get(conv as ConversationId);
      if (c.kind !== 'direct' || c.peer === null) throw new Error('Calls are one-to-one in this demo.');
      await calls.start(c.id, c.peer, kind);
    },
    async callAction(action) {
      await calls[action]();
    },
    callLog: (conv) => callLog(conv as ConversationId),
    groupEvents: (conv) => groupEvents.list(conv as ConversationId),
    openNote: (conv) => openSharedNote(kith, sync, conv as ConversationId, (u) => nameOf(u)),
    setPresence(state) {
      myPresence = state;
      sync.setPresence(state, contactsToTell());
      changed();
    },
    presence: () => myPresence,
    async setOnline(online) {
      userOffline = !online;
      await applyOffline();
    },
    async signOut() {
      globalThis.removeEventListener?.('offline', onNetwork);
      globalThis.removeEventListener?.('online', onNetwork);
      await sync.stop();
      summaries.close();
      await kith.close();
      sandbox.close();
      parts.forget();
    },
  };
  return client;
}

