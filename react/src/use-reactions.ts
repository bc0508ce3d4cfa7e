import type { ConversationId, MessageId, Reaction } from '@kith/core';
import { useKithContext } from './kith-provider.js';
import { onKithEvents, useEngineValue } from './use-engine-value.js';

const NONE: readonly Reaction[] = Object.freeze([]);

/** The reactions to one message, live: only that message's reaction events re-render. */
export function useReactions(conversation: ConversationId, message: MessageId): readonly Reaction[] {
  const { kith } = useKithContext();
  return useEngineValue(
    () => {
      try {
        return kith.messages.reactions(conversation, message);
      } catch {
        return NONE;
      }
    },
    (notify) => onKithEvents(kith, ['reaction', 'messageDeleted', 'messageRetracted'], (e) => ('messageId' in e ? e.messageId === message : 'id' in e && e.id === message), notify),
    [kith, conversation, message],
  );
}
