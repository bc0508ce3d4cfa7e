import type { ConversationId, MemberInfo } from '@kith/core';
import { useKithContext } from './kith-provider.js';
import { aboutConversation, onKithEvents, useEngineValue } from './use-engine-value.js';

const NONE: readonly MemberInfo[] = Object.freeze([]);

/** A group's current members with their roles, live (membership events of that group only). */
export function useMembers(conversation: ConversationId): readonly MemberInfo[] {
  const { kith } = useKithContext();
  return useEngineValue(
    () => {
      try {
        return kith.groups.members(conversation);
      } catch {
        return NONE;
      }
    },
    (notify) => onKithEvents(kith, ['membership'], aboutConversation(conversation), notify),
    [kith, conversation],
  );
}
