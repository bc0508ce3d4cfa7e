import { useCallback, useRef, useSyncExternalStore } from 'react';
import type { ConversationId, UserId } from '@kith/core';
import { useKithContext } from './kith-provider.js';
import { otherMembers } from './typing-registry.js';

/** Other members typing in `conversation` now (REACT-1), sorted; re-renders only for this conversation. */
export function useTyping(conversation: ConversationId): readonly UserId[] {
  const { typing } = useKithContext();
  const subscribe = useCallback((listener: () => void) => typing.subscribe(conversation, listener), [typing, conversation]);
  const get = useCallback(() => typing.get(conversation), [typing, conversation]);
  return useSyncExternalStore(subscribe, get, get);
}

const encoder = new TextEncoder();

/**
 * A function to call on each keystroke: it signals `typing` to the conversation's other members
 * at most once per `intervalMs` (default 3 s), on the provider's clock.
 */
export function useSendTyping(conversation: ConversationId, intervalMs = 3000): () => void {
  const { kith, sync, clock } = useKithContext();
  const last = useRef<number | null>(null);
  return useCallback(() => {
    if (sync === undefined) return;
    const now = clock.now();
    if (last.current !== null && now - last.current < intervalMs) return;
    last.current = now;
    const payload = encoder.encode(conversation);
    for (const user of otherMembers(kith, conversation)) sync.signal(user, 'typing', payload);
  }, [kith, sync, clock, conversation, intervalMs]);
}
