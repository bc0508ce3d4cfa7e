import type { Call, ConversationId } from '@kith/core';
import { useKithContext } from './kith-provider.js';
import { aboutConversation, onKithEvents, useEngineValue } from './use-engine-value.js';

export interface CallView {
  /** The newest call still initiated, ringing or ongoing; null when none is. */
  readonly current: Call | null;
  /** Every call of the conversation the engine holds, as `calls.list` returns them. */
  readonly calls: readonly Call[];
}

const LIVE = new Set(['initiated', 'ringing', 'ongoing']);

/** The conversation's calls, live (call and membership events of that conversation). */
export function useCall(conversation: ConversationId): CallView {
  const { kith } = useKithContext();
  return useEngineValue(
    (): CallView => {
      let calls: Call[];
      try {
        calls = kith.calls.list(conversation);
      } catch {
        calls = [];
      }
      let current: Call | null = null;
      for (const c of calls) if (LIVE.has(c.status) && (current === null || c.startedAt >= current.startedAt)) current = c;
      return { current, calls };
    },
    (notify) => onKithEvents(kith, ['call', 'membership'], aboutConversation(conversation), notify),
    [kith, conversation],
  );
}
