import type { ConversationId, Kith, UserId } from '@kith/core';
import type { CallLogEntry } from './client.js';

/**
 * A conversation's call log as the chat shows it: each call with its duration and screen shares.
 * `calls.list` reads only the feed chunks the engine has loaded, so a call can drop out of it
 * when its chunk is unloaded: the log keeps the newest view of every call seen this session.
 */
export function createCallLog(kith: Kith, nameOf: (user: UserId) => string): (conversation: ConversationId) => CallLogEntry[] {
  const seenBy = new Map<ConversationId, Map<string, CallLogEntry>>();
  return (conversation) => {
    let seen = seenBy.get(conversation);
    if (seen === undefined) seenBy.set(conversation, (seen = new Map<string, CallLogEntry>()));
    for (const c of kith.calls.list(conversation)) {
      const joined = c.participants.map((p) => p.joinedAt).filter((t): t is number => t !== null);
      const from = joined.length > 0 ? Math.min(...joined) : null;
      const screenShares = c.screenShares.map((s) => ({ by: nameOf(s.user), startedAt: s.startedAt, durationMs: s.endedAt === null ? null : s.endedAt - s.startedAt }));
      seen.set(c.id, { id: c.id, kind: c.kind, outgoing: c.caller === kith.user, status: c.status, startedAt: c.startedAt, durationMs: from !== null && c.endedAt !== null ? c.endedAt - from : null, screenShares });
    }
    return [...seen.values()].sort((a, b) => a.startedAt - b.startedAt);
  };
}
