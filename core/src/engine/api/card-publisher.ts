import type { ConversationId, UserId } from '../../ids.js';
import type { MemberCard } from '../../model/membership/membership-rules.js';
import type { Profile } from '../../model/profile.js';
import type { ApiContext } from './context.js';
import { isKithError } from '../../errors.js';
import { cardToWrite } from '../member-cards.js';

/**
 * The member directory of ADR 0027, write side (DIR-2): my card — the name fields of my own
 * profile, signed by me like every membership op — goes into each group I am a member of: when
 * I learn I am one (created, added), and again whenever my profile's name fields change.
 */
export async function publishCards(ctx: ApiContext, mine: Profile, only?: ConversationId): Promise<void> {
  const { core, writer } = ctx;
  for (const conversation of only === undefined ? [...core.groups.keys()] : [only]) {
    const body = cardToWrite(core, conversation, mine);
    if (body === null) continue;
    try {
      await writer.memberOp(conversation, { type: 'card', ...body }, Math.floor(core.clock.now()));
    } catch (error) {
      // A name the card cannot carry (e.g. not well-formed Unicode) stays out of that group; a
      // storage failure is the caller's.
      if (!isKithError(error) || (error.code !== 'invalid_argument' && error.code !== 'malformed')) throw error;
    }
  }
}

/**
 * Keeps my cards current as memberships change (DIR-2) and tells the app when a co-member's
 * card changed (`profile` event, DIR-4). Returns the unsubscribe function.
 */
export function followCards(ctx: ApiContext, mine: () => Profile): () => void {
  const { core } = ctx;
  const seen = new Map<ConversationId, ReadonlyMap<UserId, MemberCard>>();
  const scheduled = new Set<ConversationId>();
  const check = (conversation: ConversationId, announce: boolean): void => {
    const state = core.groups.get(conversation)?.log.state();
    if (state === undefined) return;
    const before = seen.get(conversation);
    seen.set(conversation, state.cards);
    if (announce && before !== state.cards) {
      for (const [user, card] of state.cards) if (user !== core.me && before?.get(user) !== card) core.events.emit('profile', { user });
    }
    if (scheduled.has(conversation) || cardToWrite(core, conversation, mine()) === null) return;
    scheduled.add(conversation);
    core.queue
      .run(async () => {
        scheduled.delete(conversation);
        await publishCards(ctx, mine(), conversation);
      })
      .catch(() => undefined); // retried at the next membership change or profile update
  };
  for (const conversation of core.groups.keys()) check(conversation, false);
  return core.events.on('membership', (e) => check(e.conversation, true));
}
