import type { UserId } from '../../ids.js';
import type { Profile, ProfilePatch } from '../../model/profile.js';
import type { ApiContext } from './context.js';
import type { Result } from '../../errors.js';
import { fail, ok } from '../../errors.js';
import { parseUserId } from '../../ids.js';
import { profileDocId } from '../../model/doc-ids.js';
import { expectProfilePatch, PROFILE, readProfile } from '../../model/profile.js';
import { serial } from './context.js';
import { checkCardUsername, newestCard } from '../member-cards.js';
import { publishCards } from './card-publisher.js';

export interface ProfileApi {
  /** Updates my profile; my card in every group I am a member of follows (DIR-2). */
  update(patch: ProfilePatch): Promise<Profile>;
  /**
   * My profile, a contact's as last synced, else what a co-member says of herself in a group we
   * share (DIR-4: `source` tells which; empty fields and `unknown` when nothing is known). A
   * co-member's username that belongs to someone else I know is left empty (DIR-5, see `card`).
   */
  get(user?: UserId): Profile;
  /**
   * A co-member's newest card as I would show it (DIR-4, DIR-5): `not_found` when no group I hold
   * has one; `conflict` when its username belongs to someone else I know (me, a contact, another
   * member's card) — a forged name is refused, never shown.
   */
  card(user: UserId): Result<Profile>;
}

export function createProfileApi(ctx: ApiContext): ProfileApi {
  const { core, writer } = ctx;
  const fromDoc = (user: UserId): Profile | undefined => {
    const doc = core.docs.get(profileDocId(user));
    if (doc === undefined) return undefined;
    const { profile, invalid } = readProfile(user, (key) => doc.crdt.get(PROFILE, key));
    core.stats.invalidEntries += invalid;
    return user === core.me ? { ...profile, source: 'own' } : profile;
  };
  const card = (user: UserId): Result<Profile> => {
    const found = newestCard(core, user);
    if (found === undefined) return fail('not_found', 'no group I am in holds a card of this user');
    const checked = checkCardUsername(core, found);
    if (!checked.ok) return checked;
    return ok({ user, source: 'member', username: found.username, displayName: found.displayName, avatar: found.avatar, about: '' });
  };
  const get = (user: UserId): Profile => {
    const held = fromDoc(user);
    if (held !== undefined && (user === core.me || held.displayName !== '' || held.username !== '')) return held;
    const c = card(user);
    if (c.ok) return c.value;
    const found = c.error.code === 'conflict' ? newestCard(core, user) : undefined;
    if (found !== undefined) return { user, source: 'member', username: '', displayName: found.displayName, avatar: found.avatar, about: '' };
    return held ?? { user, source: user === core.me ? 'own' : 'unknown', username: '', displayName: '', avatar: null, about: '' };
  };
  return {
    update: (patch) =>
      serial(ctx, async () => {
        const fields = expectProfilePatch(patch);
        await writer.update(
          profileDocId(core.me),
          fields.map(([key, value]) => ({ op: 'set' as const, collection: PROFILE, key, value })),
        );
        const mine = get(core.me);
        await publishCards(ctx, mine);
        return mine;
      }),
    get: (user) => get(user === undefined ? core.me : parseUserId(user)),
    card: (user) => card(parseUserId(user)),
  };
}
