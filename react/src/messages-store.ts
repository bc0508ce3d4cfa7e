import type { ConversationId, Kith, Message, MessageId } from '@kith/core';
import { keepUnchanged, sameValue } from './same-value.js';
import { createSnapshotStore, type SnapshotStore } from './snapshot-store.js';

export interface MessagesView {
  /** Loaded messages, oldest first (conversation order = id order, identical on every device). */
  readonly messages: readonly Message[];
  /** The first page has not arrived yet. */
  readonly loading: boolean;
  /** Older messages may exist (the last page asked for came back full). */
  readonly hasOlder: boolean;
  /** An error code (docs/ERRORS.md) when the last load failed, else null. */
  readonly error: string | null;
}

export interface MessagesStore extends SnapshotStore<MessagesView> {
  /** Loads the page before the oldest loaded message; resolves when it is in the view. */
  loadOlder(): Promise<void>;
}

const INITIAL: MessagesView = { messages: [], loading: true, hasOlder: false, error: null };
const errorCode = (e: unknown): string => (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'unknown');

/**
 * The newest page of a conversation, kept live from the engine's events without re-reading:
 * a new message is inserted in id order (a message older than every loaded one while older
 * pages exist waits for `loadOlder`), an edit replaces it, a deletion re-reads that one message
 * (its tombstone), a retraction removes it, and a conversation-state change (cleared history)
 * reloads. Unchanged messages keep their object, so memoized rows do not re-render.
 */
export function createMessagesStore(kith: Kith, conversation: ConversationId, pageSize: number): MessagesStore {
  let loaded = 0; // how many messages the view was asked to hold (grows with loadOlder)
  let generation = 0;
  const byId = (a: Message, b: Message): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const base = createSnapshotStore<MessagesView>(
    INITIAL,
    (s) => {
      const gen = ++generation;
      const reload = (): void => {
        const want = Math.max(pageSize, loaded);
        kith.messages.page(conversation, { limit: Math.min(500, want) }).then(
          (page) => {
            if (gen !== generation) return;
            loaded = want;
            const prev = s.get();
            s.set({ messages: keepUnchanged(prev.messages, page, (m) => m.id), loading: false, hasOlder: page.length >= Math.min(500, want), error: null });
          },
          (e: unknown) => gen === generation && s.set({ ...s.get(), loading: false, error: errorCode(e) }),
        );
      };
      const upsert = (m: Message): void => {
        const v = s.get();
        if (v.loading) return reload();
        const i = v.messages.findIndex((x) => x.id === m.id);
        if (i >= 0) {
          if (sameValue(v.messages[i], m)) return;
          const next = [...v.messages];
          next[i] = m;
          return s.set({ ...v, messages: next });
        }
        const oldest = v.messages[0];
        if (v.hasOlder && oldest !== undefined && m.id < oldest.id) return;
        s.set({ ...v, messages: [...v.messages, m].sort(byId) });
      };
      const remove = (id: MessageId): void => {
        const v = s.get();
        if (v.messages.some((m) => m.id === id)) s.set({ ...v, messages: v.messages.filter((m) => m.id !== id) });
      };
      const offs = [
        kith.on('message', (e) => e.conversation === conversation && upsert(e.message)),
        kith.on('messageEdited', (e) => e.conversation === conversation && upsert(e.message)),
        kith.on('messageDeleted', (e) => {
          if (e.conversation !== conversation) return;
          kith.messages.get(conversation, e.id).then(
            (m) => gen === generation && (m === null ? remove(e.id) : upsert(m)),
            () => gen === generation && reload(),
          );
        }),
        kith.on('messageRetracted', (e) => e.conversation === conversation && remove(e.id)),
        kith.on('conversation', (e) => e.conversation === conversation && reload()),
      ];
      reload();
      return () => {
        generation++;
        for (const off of offs) off();
      };
    },
  );
  return {
    ...base,
    async loadOlder() {
      const v = base.get();
      const oldest = v.messages[0];
      if (v.loading || !v.hasOlder || oldest === undefined) return;
      const gen = generation;
      const older = await kith.messages.page(conversation, { before: oldest.id, limit: pageSize });
      if (gen !== generation) return;
      const now = base.get();
      const known = new Set(now.messages.map((m) => m.id));
      loaded = now.messages.length + older.length;
      base.set({ ...now, messages: [...older.filter((m) => !known.has(m.id)), ...now.messages], hasOlder: older.length >= pageSize });
    },
  };
}
