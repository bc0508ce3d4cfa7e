import type { ConversationId, UserId } from '../ids.js';
import type { MemberCardFields } from '../model/membership/member-op.js';
import type { MemberCard } from '../model/membership/membership-rules.js';
import type { Core } from './core.js';
import { fail, ok, type Result } from '../errors.js';
import { PROFILE, readProfile } from '../model/profile.js';

/**
 * The member directory of ADR 0027, read side: what the groups I am (or was) in say of a user,
 * in that user's own signed words (DIR-1), and whether its username may be shown (DIR-5).
 */

/** DIR-4: `user`'s newest card among every group log this engine holds (by her own `at`, then group id). */
export function newestCard(core: Core, user: UserId): MemberCard | undefined {
  let best: MemberCard | undefined;
  for (const slot of core.groups.values()) {
    const card = slot.log.state().cards.get(user);
    if (card !== undefined && (best === undefined || card.at > best.at)) best = card;
  }
  return best;
}

/**
 * DIR-5: a non-contact's username is someone else's when this engine knows another user under
 * it — me, a user whose profile document it holds, or another user's card in any group it holds
 * (then neither card's username is shown: a squatter can hide a name, never take it).
 */
export function checkCardUsername(core: Core, user: UserId, name: string): Result<void> {
  if (name === '') return ok(undefined);
  const taken = (): Result<void> => fail('conflict', 'the username in this member card belongs to someone else');
  if (user !== core.me && name === core.username) return taken();
  for (const doc of core.docs.loaded()) {
    if (doc.ref.kind !== 'profile' || doc.ref.user === user) continue;
    if (readProfile(doc.ref.user, (key) => doc.crdt.get(PROFILE, key)).profile.username === name) return taken();
  }
  for (const slot of core.groups.values()) {
    for (const other of slot.log.state().cards.values()) if (other.user !== user && other.username === name) return taken();
  }
  return ok(undefined);
}

/** DIR-2: the card I should write to `conversation` now, or null (not a member, or it holds my current one). */
export function cardToWrite(core: Core, conversation: ConversationId, mine: MemberCardFields): MemberCardFields | null {
  const state = core.groups.get(conversation)?.log.state();
  if (state?.created !== true || !state.members.has(core.me)) return null;
  const card: MemberCardFields = { displayName: mine.displayName, username: mine.username, avatar: mine.avatar === '' ? null : mine.avatar };
  if (card.displayName === '' && card.username === '' && card.avatar === null) return null;
  const held = state.cards.get(core.me);
  if (held !== undefined && held.displayName === card.displayName && held.username === card.username && held.avatar === card.avatar) return null;
  return card;
}
