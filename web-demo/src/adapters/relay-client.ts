// The one file that wires the SDK: accounts, engine + Dexie, sync client + WebSocket transport,
// and the decode sandbox that vets other users' updates. Every name comes from @kith/core's entries.
import {
  createCrdtBackend,
  createCryptoRandom,
  createDecodeSandbox,
  createKith,
  createSodiumCrypto,
  createSyncClient,
  createSystemClock,
  createWebSocketTransport,
  createWebWorkerHost,
  loadIdentity,
  logIn,
  saveIdentity,
  signUp,
  vetWithSandbox,
} from '@kith/core';
import type { ConversationId, CryptoPort, DecodeSandbox, Identity, Kith, MessageId, SyncClient, UserId } from '@kith/core';
import { createDexieStorage } from '@kith/core/dexie';
// Vite bundles the decode worker with its own copy of yjs (`?worker&url`), in dev and in
// `vite build`; core's default worker URL would be inlined by the build with a bare `yjs` import.
import decodeWorkerUrl from '../../../core/src/sandbox/yjs-decode-worker.mjs?worker&url';
import { createOfflineGate, type OfflineGate } from './offline-gate.js';
import { createCallController } from './webrtc-calls.js';
import type { ChatMessage, ChatSummary, ClientFactory, ContactView, DemoClient, PresenceState, SignUpInput, Tick } from './client.js';

// Which account this profile uses (no secrets): the key bundle itself lives in the account's
// IndexedDB database, written by saveIdentity and read back by loadIdentity.
const ACCOUNT_KEY = 'kith-demo/account';
const PAGE = 30;

interface SavedAccount {
  relay: string;
  username: string;
  displayName: string;
  user: string;
  device: string;
}

const dbName = (user: string, device: string): string => `kith-${user}-${device}`;

type Session = { crypto: CryptoPort; gate: OfflineGate };

async function session(relay: string): Promise<Session> {
  const crypto = await createSodiumCrypto();
  return { crypto, gate: createOfflineGate(createWebSocketTransport({ url: relay })) };
}

async function open(s: Session, saved: SavedAccount, identity: Identity | null): Promise<DemoClient> {
  const { crypto, gate } = s;
  const transport = gate.transport;
  const storage = await createDexieStorage({ name: dbName(saved.user, saved.device) });
  let id = identity;
  if (id === null) {
    id = (await loadIdentity(crypto, storage)) ?? null;
    if (id === null) {
      localStorage.removeItem(ACCOUNT_KEY);
      throw new Error('This browser no longer holds the account keys. Log in with your password.');
    }
  } else await saveIdentity(storage, id);
  localStorage.setItem(ACCOUNT_KEY, JSON.stringify(saved));
  const clock = createSystemClock();
  const kith = await createKith({
    user: id.userId,
    username: saved.username,
    device: id.device,
    backend: createCrdtBackend('yjs'),
    clock,
    random: createCryptoRandom(),
    storage,
  });
  if (saved.displayName !== '' && kith.profile.get().displayName !== saved.displayName) await kith.profile.update({ displayName: saved.displayName });
  // Every update from another device is decoded first in a Web Worker (time budget, quarantine).
  const sandbox = createDecodeSandbox({ host: createWebWorkerHost(new URL(decodeWorkerUrl, location.href)), clock });
  const vet = vetWithSandbox(sandbox, id.userId);
  const sync = await createSyncClient({ kith, identity: id, crypto, transport, clock, random: createCryptoRandom(), storage, vet });
  sync.start();
  return wrap(kith, sync, saved, gate, sandbox);
}

const accountError = (code: string, what: string): Error =>
  new Error(
    code === 'conflict'
      ? 'That username is taken.'
      : code === 'wrong_password'
        ? 'Wrong username or password.'
        : code === 'not_found'
          ? 'No account with that username at this relay.'
          : `${what} failed (${code}).`,
  );

function wrap(kith: Kith, sync: SyncClient, saved: SavedAccount, gate: OfflineGate, sandbox: DecodeSandbox): DemoClient {
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
  kith.on('message', ({ conversation, message }) => {
    if (message.author !== me) void kith.receipts.markDelivered(conversation, message.id).catch(() => undefined);
  });
  const contactsToTell = (): UserId[] => kith.contacts.list().filter((c) => c.status === 'accepted').map((c) => c.user);
  sync.onState((s) => {
    if ((s === 'upToDate' || s === 'gap') && !gate.offline) {
      pending.clear();
      sync.setPresence(myPresence, contactsToTell());
    }
    changed();
  });
  sync.onPresence((e) => {
    if (e.state === 'offline' && presenceOf.get(e.user) !== 'offline') lastSeen.set(e.user, Date.now());
    presenceOf.set(e.user, e.state);
    changed();
  });
  const dec = new TextDecoder();
  sync.onSignal((e) => {
    if (e.kind !== 'typing') return;
    const conv = dec.decode(e.payload);
    for (const l of typingListeners) l(conv, nameOf(e.from));
  });

  const nameOf = (u: UserId): string => {
    if (u === me) return 'You';
    const p = kith.profile.get(u);
    return p.displayName || p.username || u.slice(0, 8);
  };
  const lastSeenRead = (conv: ConversationId): string | null => kith.receipts.forMember(conv, me).read;

  const toMessage = async (conv: ConversationId, m: Awaited<ReturnType<Kith['messages']['page']>>[number], byId: Map<string, { author: UserId; text: string }>): Promise<ChatMessage> => {
    const reactions = new Map<string, { count: number; mine: boolean }>();
    for (const r of kith.messages.reactions(conv, m.id)) {
      if (r.emoji === null) continue;
      const x = reactions.get(r.emoji) ?? { count: 0, mine: false };
      reactions.set(r.emoji, { count: x.count + 1, mine: x.mine || r.user === me });
    }
    let tick: Tick | null = null;
    let receipts: Array<{ name: string; status: Tick }> = [];
    if (m.author === me) {
      if (pending.has(m.id) || gate.offline || sync.state === 'offline' || sync.state === 'connecting') tick = pending.has(m.id) ? 'queued' : 'sent';
      else {
        const rs = await kith.receipts.forMessage(conv, m.id);
        receipts = rs.map((r) => ({ name: nameOf(r.user), status: r.status }));
        const rank: Record<string, number> = { sent: 0, delivered: 1, read: 2 };
        const min = rs.reduce((lo, r) => Math.min(lo, rank[r.status] ?? 0), 2);
        tick = rs.length === 0 ? 'sent' : (['sent', 'delivered', 'read'] as const)[min] ?? 'sent';
      }
    }
    let replyTo: ChatMessage['replyTo'] = null;
    if (m.replyTo !== null) {
      const q = byId.get(m.replyTo) ?? (await kith.messages.get(conv, m.replyTo));
      replyTo = q === null ? { id: m.replyTo, authorName: '', text: 'Original message unavailable' } : { id: m.replyTo, authorName: nameOf(q.author), text: q.text };
    }
    return {
      id: m.id,
      author: m.author,
      authorName: nameOf(m.author),
      mine: m.author === me,
      sentAt: m.sentAt,
      text: m.text,
      replyTo,
      edited: m.editedAt !== null,
      deleted: m.deleted,
      reactions: [...reactions].map(([emoji, x]) => ({ emoji, ...x })),
      attachments: m.attachments.map((a) => ({ id: a.id, name: a.name, size: a.size, mime: a.mime, image: a.mime.startsWith('image/') })),
      tick,
      receipts,
    };
  };

  const calls = createCallController(kith, sync, (u) => nameOf(u));
  const urls = new Map<string, string>();
  const summaries = new Map<string, { lastText: string; lastAt: number; unread: number }>();
  const refreshSummary = async (conv: ConversationId): Promise<void> => {
    const last = await kith.messages.page(conv, { limit: 50 });
    const read = lastSeenRead(conv);
    const m = last[last.length - 1];
    const unread = last.filter((x) => x.author !== me && (read === null || x.id > read)).length;
    const prev = summaries.get(conv);
    const next = { lastText: m === undefined ? '' : m.deleted ? 'Message deleted' : `${m.author === me ? 'You: ' : ''}${m.text || (m.attachments.length > 0 ? '📎 Attachment' : '')}`, lastAt: m?.sentAt ?? 0, unread };
    if (prev === undefined || prev.lastText !== next.lastText || prev.unread !== next.unread || prev.lastAt !== next.lastAt) {
      summaries.set(conv, next);
      changed();
    }
  };
  const refreshAll = (): void => {
    for (const c of kith.conversations.list()) void refreshSummary(c.id).catch(() => undefined);
  };
  listeners.add(() => refreshAll());
  refreshAll();

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
    get me() {
      return { user: me, username: saved.username, displayName: kith.profile.get().displayName || saved.displayName || saved.username };
    },
    syncState: () => (gate.offline ? 'offline' : sync.state),
    onChange(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    onTyping(l) {
      typingListeners.add(l);
      return () => void typingListeners.delete(l);
    },
    async lookup(username) {
      const r = await sync.lookup(username.trim().toLowerCase());
      if (!r.ok) throw new Error(r.error.code === 'not_found' ? `No user named “${username}”.` : `Search failed (${r.error.code}).`);
      return r.value;
    },
    contacts(): ContactView[] {
      return kith.contacts.list().map((c) => {
        const p = kith.profile.get(c.user);
        return { user: c.user, username: p.username, displayName: p.displayName || p.username, status: c.status, blocked: c.blocked };
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
    chat(id) {
      const c = kith.conversations.get(id as ConversationId);
      const s = summaries.get(id) ?? { lastText: '', lastAt: 0, unread: 0 };
      const muted = c.state.mutedUntil !== null && c.state.mutedUntil > Date.now();
      const name = c.kind === 'direct' && c.peer !== null ? nameOf(c.peer) : c.name || 'Group';
      return { id, kind: c.kind === 'direct' ? 'direct' : 'group', name, peer: c.peer, pinned: c.state.pinned, archived: c.state.archived, muted, ...s, presence: c.peer === null ? null : (presenceOf.get(c.peer) ?? 'offline'), lastSeen: c.peer === null ? null : (lastSeen.get(c.peer) ?? null) };
    },
    async openDirect(user) {
      return (await kith.conversations.openDirect(user as UserId)).id;
    },
    async createGroup(name, description, members) {
      return (await kith.groups.create({ name, description, members: members as UserId[] })).id;
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
      return Promise.all(list.map((m) => toMessage(c, m, byId)));
    },
    async send(conv, text, replyTo) {
      const online = !gate.offline && sync.state !== 'offline' && sync.state !== 'connecting';
      const m = await kith.messages.send(conv as ConversationId, replyTo === undefined ? text : { text, replyTo: replyTo as MessageId });
      if (!online) pending.add(m.id);
      void refreshSummary(conv as ConversationId);
    },
    async sendFile(conv, file, caption) {
      const c = conv as ConversationId;
      const up = await sync.uploadAttachment(c, file);
      if (!up.ok) throw new Error(up.error.code === 'offline' ? 'Attachments need a connection.' : up.error.code === 'too_large' ? 'That file is too large.' : `Upload failed (${up.error.code}).`);
      // The engine requires non-empty text (message_empty): an uncaptioned file carries its name.
      await kith.messages.send(c, { text: caption === '' ? file.name : caption, attachments: [up.value] });
      void refreshSummary(c);
    },
    async attachmentUrl(conv, messageId, attachmentId) {
      const cached = urls.get(attachmentId);
      if (cached !== undefined) return cached;
      const c = conv as ConversationId;
      const m = await kith.messages.get(c, messageId as MessageId);
      const a = m?.attachments.find((x) => x.id === attachmentId);
      if (a === undefined) throw new Error('Attachment not found.');
      const r = await sync.downloadAttachment(c, a);
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
    async react(conv, id, emoji) {
      await kith.messages.react(conv as ConversationId, id as MessageId, emoji);
    },
    async markRead(conv, id) {
      const read = lastSeenRead(conv as ConversationId);
      if (read !== null && read >= id) return;
      await kith.receipts.markRead(conv as ConversationId, id as MessageId);
      await refreshSummary(conv as ConversationId);
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
    callLog(conv) {
      return kith.calls.list(conv as ConversationId).map((c) => {
        const joined = c.participants.map((p) => p.joinedAt).filter((t): t is number => t !== null);
        const from = joined.length > 0 ? Math.min(...joined) : null;
        return { id: c.id, kind: c.kind, outgoing: c.caller === me, status: c.status, startedAt: c.startedAt, durationMs: from !== null && c.endedAt !== null ? c.endedAt - from : null };
      });
    },
    setPresence(state) {
      myPresence = state;
      sync.setPresence(state, contactsToTell());
      changed();
    },
    presence: () => myPresence,
    async setOnline(online) {
      gate.setOffline(!online);
      if (online) {
        // Skip the backoff timer: reconnect now.
        await sync.stop();
        sync.start();
      }
      changed();
    },
    async signOut() {
      await sync.stop();
      await kith.close();
      sandbox.close();
      localStorage.removeItem(ACCOUNT_KEY);
    },
  };
  return client;
}

export const relayClientFactory: ClientFactory = {
  async signUp(input: SignUpInput) {
    const username = input.username.trim().toLowerCase();
    if (!/^[a-z0-9_.]{3,32}$/.test(username)) throw new Error('Usernames are 3–32 letters, digits, dots or underscores.');
    if (input.password.length < 8) throw new Error('Use a password of at least 8 characters.');
    const s = await session(input.relay);
    const r = await signUp({ crypto: s.crypto, fetch: s.gate.transport.fetch, username, password: input.password });
    if (!r.ok) throw accountError(r.error.code, 'Sign-up');
    const saved = { relay: input.relay, username, displayName: input.displayName.trim() || username, user: r.value.userId, device: r.value.device };
    return open(s, saved, r.value);
  },
  async logIn(input) {
    const username = input.username.trim().toLowerCase();
    const s = await session(input.relay);
    const r = await logIn({ crypto: s.crypto, fetch: s.gate.transport.fetch, username, password: input.password });
    if (!r.ok) throw accountError(r.error.code, 'Log-in');
    // The display name comes back with the account's profile document from the relay.
    return open(s, { relay: input.relay, username, displayName: '', user: r.value.userId, device: r.value.device }, r.value);
  },
  async resume(relay) {
    const raw = localStorage.getItem(ACCOUNT_KEY);
    if (raw === null) return null;
    const saved = JSON.parse(raw) as Partial<SavedAccount>;
    if (saved.relay !== relay || typeof saved.user !== 'string' || typeof saved.device !== 'string' || typeof saved.username !== 'string') return null;
    return open(await session(relay), { relay, username: saved.username, displayName: saved.displayName ?? '', user: saved.user, device: saved.device }, null);
  },
};
