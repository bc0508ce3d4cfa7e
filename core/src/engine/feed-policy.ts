import type { ConversationId, DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from './core.js';
import { directConversationId } from '../ids.js';

/**
 * Whether a feed change may take effect now (ADR 0001): `allow` — its author is a member (or
 * the other side of my direct conversation, or me); `cut` — the author was removed and the
 * change's counter is above the removal's cutoff; `wait` — membership is not known yet
 * (re-evaluated whenever membership or my conversation list changes).
 */
export type FeedVerdict = 'allow' | 'cut' | 'wait';

export function isDirectWith(me: UserId, author: UserId, conversation: ConversationId): boolean {
  return author !== me && directConversationId(author, me) === conversation;
}

export function feedVerdict(core: Core, conversation: ConversationId, doc: DocId, change: DocChange): FeedVerdict {
  const author = change.author;
  if (isDirectWith(core.me, author, conversation)) return 'allow';
  if (author === core.me && core.directs.has(conversation)) return 'allow';
  const state = core.groups.get(conversation)?.log.state();
  if (state === undefined || !state.created) return 'wait';
  if (state.members.has(author)) return 'allow';
  if (state.former.has(author)) {
    const cutoff = state.cutoffs.get(author);
    if (cutoff === undefined) return 'allow'; // left on their own: everything they sent counts
    return change.counter <= (cutoff[`${doc}|${change.device}`] ?? 0) ? 'allow' : 'cut';
  }
  return 'wait';
}

/** Who may read a conversation's feeds: its members (groups) or its pair (direct). */
export function conversationMembers(core: Core, conversation: ConversationId): UserId[] {
  const peer = core.directs.get(conversation);
  if (peer !== undefined) return [core.me, peer].sort();
  const state = core.groups.get(conversation)?.log.state();
  if (state === undefined || !state.created) return [];
  return [...state.members.keys()].sort();
}
