import { useMemo, useSyncExternalStore } from 'react';
import type { ConversationId } from '@kith/core';
import { useKithContext } from './kith-provider.js';
import { createMessagesStore, type MessagesView } from './messages-store.js';

export interface UseMessagesResult extends MessagesView {
  /** Loads the page before the oldest loaded message. */
  readonly loadOlder: () => Promise<void>;
}

/**
 * A conversation's messages, newest page first loaded (`pageSize`, default 50), live, with
 * `loadOlder` for paging back. Unchanged messages keep their object identity across updates.
 */
export function useMessages(conversation: ConversationId, options: { readonly pageSize?: number } = {}): UseMessagesResult {
  const { kith } = useKithContext();
  const pageSize = Math.max(1, Math.min(500, options.pageSize ?? 50));
  const store = useMemo(() => createMessagesStore(kith, conversation, pageSize), [kith, conversation, pageSize]);
  const view = useSyncExternalStore(store.subscribe, store.get, store.get);
  return useMemo(() => ({ ...view, loadOlder: () => store.loadOlder() }), [view, store]);
}
