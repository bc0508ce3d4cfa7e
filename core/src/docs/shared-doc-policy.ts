import type { DocId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { DocRef } from '../model/doc-ids.js';
import type { Core } from '../engine/core.js';
import type { FeedVerdict } from '../engine/feed-policy.js';
import { isDirectWith, withinCutoff } from '../engine/feed-policy.js';

export type SharedDocRef = Extract<DocRef, { kind: 'doc' }>;

/**
 * DOC-4: whether a shared-document change may take effect now, from the signed membership state
 * alone (never the payload). `allow`: the other side of my direct conversation or me in it, a
 * current member of the group (a current admin for an admins-only document), or a former member
 * at or below the departure op's cutoff for this document and device; `cut`: a former member
 * above it; `wait`: not known yet (re-judged when membership changes).
 */
export function sharedDocVerdict(core: Core, ref: SharedDocRef, doc: DocId, change: DocChange): FeedVerdict {
  const { author } = change;
  const conversation = ref.conversation;
  if (isDirectWith(core.me, author, conversation)) return 'allow';
  if (author === core.me && core.directs.has(conversation)) return 'allow';
  const state = core.groups.get(conversation)?.log.state();
  if (state === undefined || !state.created) return 'wait';
  const standing = state.members.get(author);
  if (standing !== undefined) return ref.mode.writers === 'members' || standing.role === 'admin' ? 'allow' : 'cut';
  if (state.former.has(author)) return withinCutoff(state.cutoffs.get(author), doc, change.device, change.counter) ? 'allow' : 'cut';
  return 'wait';
}

/** Whether `me` may write the shared document now (a local edit is refused otherwise). */
export function mayWriteShared(core: Core, ref: SharedDocRef): boolean {
  if (core.directs.has(ref.conversation)) return true;
  const standing = core.groups.get(ref.conversation)?.log.state().members.get(core.me);
  return standing !== undefined && (ref.mode.writers === 'members' || standing.role === 'admin');
}
