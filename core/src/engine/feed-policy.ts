import type { ConversationId, DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from './core.js';
import { directConversationId } from '../ids.js';
import { snapshotCovers } from './snapshots.js';

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
    if (!withinCutoff(cutoff, doc, change.device, change.counter)) return 'cut';
    // SNAP-3: a former member's snapshot counts only if every range it covers is within her cutoff.
    return snapshotCovers(change).every((r) => withinCutoff(cutoff, doc, r.device, r.to)) ? 'allow' : 'cut';
  }
  return 'wait';
}

/**
 * THE rule for a former member's change, shared with the crypto authorizer (AUTH-1/2, H2, M2):
 * removed or left alike, a change counts iff its counter is at or below the departure op's
 * cutoff for that document and device; a missing cutoff or entry means nothing counts.
 */
export function withinCutoff(cutoff: Readonly<Record<string, number>> | undefined, doc: string, device: string, counter: number): boolean {
  const limit = cutoff?.[`${doc}|${device}`];
  return limit !== undefined && counter <= limit;
}

/**
 * A departure cutoff from the counters of one author's changes that were accepted, per
 * `${docId}|${deviceId}`: the highest counter C such that every counter 1..C was accepted (M2).
 * Counters the departing member skipped stay refused forever, so it cannot backdate changes
 * into them later with an old epoch key; accepted changes above a gap are cut too, the same at
 * every peer (the remover included).
 */
export function contiguousCutoff(accepted: ReadonlyMap<string, ReadonlySet<number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, counters] of [...accepted].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    let c = 0;
    while (counters.has(c + 1)) c++;
    if (c > 0) out[key] = c;
  }
  return out;
}

/** Who may read a conversation's feeds: its members (groups) or its pair (direct). */
export function conversationMembers(core: Core, conversation: ConversationId): UserId[] {
  const peer = core.directs.get(conversation);
  if (peer !== undefined) return [core.me, peer].sort();
  const state = core.groups.get(conversation)?.log.state();
  if (state === undefined || !state.created) return [];
  return [...state.members.keys()].sort();
}

/** How many members besides me a conversation has now (who a call started now would invite). */
export function othersIn(core: Core, conversation: ConversationId): number {
  return Math.max(0, conversationMembers(core, conversation).length - 1);
}
