import { useMemo, useSyncExternalStore } from 'react';
import { chatList, type ChatListRow, type KithEventName } from '@kith/core';
import { createAsyncStore } from './async-store.js';
import { useKithContext } from './kith-provider.js';
import { keepUnchanged } from './same-value.js';
import { onKithEvents } from './use-engine-value.js';

const EVERY_EVENT: readonly KithEventName[] = ['message', 'messageEdited', 'messageDeleted', 'messageRetracted', 'receipt', 'membership', 'conversation', 'contact', 'profile', 'call'];

/**
 * The chat list (schema.sql `chat_list` through the projection: pinned first, then by last
 * activity; title, last message, unread count), live; undefined until loaded. Needs the
 * provider's `projection`. After each engine event it waits for the projection to write, reads
 * the list again, and keeps every unchanged row's object: a message in one chat re-renders that
 * chat's row (and the list's order), not the other rows.
 */
export function useChatList(options: { readonly includeArchived?: boolean } = {}): readonly ChatListRow[] | undefined {
  const { kith, projection, clock } = useKithContext();
  if (projection === undefined) throw new Error('useChatList needs <KithProvider projection={…}>');
  const includeArchived = options.includeArchived === true;
  const store = useMemo(
    () =>
      createAsyncStore<readonly ChatListRow[]>(
        async () => {
          await projection.idle();
          return chatList(projection.db, kith.user, { includeArchived, now: clock.now() });
        },
        (notify) => onKithEvents(kith, EVERY_EVENT, () => true, notify),
        (prev, next) => keepUnchanged(prev, next, (r) => r.id),
      ),
    [kith, projection, clock, includeArchived],
  );
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
