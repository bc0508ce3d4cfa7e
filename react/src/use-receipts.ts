import { useMemo, useSyncExternalStore } from 'react';
import type { ConversationId, MessageId, ReceiptStatus, UserId } from '@kith/core';
import { createAsyncStore } from './async-store.js';
import { useKithContext } from './kith-provider.js';
import { aboutConversation, onKithEvents } from './use-engine-value.js';

export type MessageReceipts = ReadonlyArray<{ readonly user: UserId; readonly status: ReceiptStatus }>;

/**
 * sent → delivered → read for each other member, for one message (`receipts.forMessage`);
 * undefined until loaded. Reloads on receipt and membership events of that conversation.
 */
export function useReceipts(conversation: ConversationId, message: MessageId): MessageReceipts | undefined {
  const { kith } = useKithContext();
  const store = useMemo(
    () =>
      createAsyncStore<MessageReceipts>(
        () => kith.receipts.forMessage(conversation, message),
        (notify) => onKithEvents(kith, ['receipt', 'membership'], aboutConversation(conversation), notify),
      ),
    [kith, conversation, message],
  );
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
