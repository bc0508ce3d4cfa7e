import type { Conversation, ConversationId, GroupInfo } from '@kith/core';
import { useKithContext } from './kith-provider.js';
import { aboutConversation, onKithEvents, useEngineValue } from './use-engine-value.js';

export interface ConversationView {
  readonly conversation: Conversation;
  /** Name, description, icon, members of a group; null for a direct conversation. */
  readonly group: GroupInfo | null;
  /** The group's name, else the peer's display name, else their username. */
  readonly title: string;
}

/**
 * One conversation, live: re-renders on changes to that conversation (state, membership, group
 * info) or to the peer's profile — not on messages. null while this device does not know it.
 */
export function useConversation(conversation: ConversationId): ConversationView | null {
  const { kith } = useKithContext();
  return useEngineValue(
    (): ConversationView | null => {
      let c: Conversation;
      try {
        c = kith.conversations.get(conversation);
      } catch {
        return null;
      }
      if (c.kind === 'group') {
        const group = kith.groups.get(conversation);
        return { conversation: c, group, title: group.name };
      }
      const peer = c.peer === null ? null : kith.profile.get(c.peer);
      return { conversation: c, group: null, title: peer === null ? '' : peer.displayName !== '' ? peer.displayName : peer.username };
    },
    (notify) => {
      const offConv = onKithEvents(kith, ['conversation', 'membership'], aboutConversation(conversation), notify);
      const offProfile = kith.on('profile', () => notify());
      return () => {
        offConv();
        offProfile();
      };
    },
    [kith, conversation],
  );
}
