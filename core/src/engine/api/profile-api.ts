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

/** `isContact(user)`: an accepted contact (their profile document is theirs to me, `contact`). */
export function createProfileApi(ctx: ApiContext, isContact: (user: UserId) => boolean): ProfileApi {
  const { core, writer } = ctx;
  const empty = (user: UserId, source: Profile['source']): Profile => ({ user, source, username: '', displayName: '', avatar: null, about: '' });
  const fromDoc = (user: UserId): Profile | undefined => {
    const doc = core.docs.get(profileDocId(user));
    if (doc === undefined) return undefined;
    const { profile, invalid } = readProfile(user, (key) => doc.crdt.get(PROFILE, key));
    core.stats.invalidEntries += invalid;
    return profile.displayName === '' && profile.username === '' && user !== core.me ? undefined : profile;
  };
  /** DIR-4: what a non-contact says of herself: her newest card, else her profile document (an older grant). */
  const claimed = (user: UserId): Profile | undefined => {
    const found = newestCard(core, user);
    if (found !== undefined) return { user, source: 'member', username: found.username, displayName: found.displayName, avatar: found.avatar, about: '' };
    const doc = fromDoc(user);
    return doc === undefined ? undefined : { ...doc, source: 'member' };
  };
  const card = (user: UserId): Result<Profile> => {
    const found = claimed(user);
    if (found === undefined) return fail('not_found', 'no group I am in holds a card of this user');
    const checked = checkCardUsername(core, user, found.username);
    return checked.ok ? ok(found) : checked;
  };
  const get = (user: UserId): Profile => {
    if (user === core.me) return { ...(fromDoc(user) ?? empty(user, 'own')), source: 'own' };
    const contact = isContact(user);
    const doc = contact ? fromDoc(user) : undefined;
    if (doc !== undefined) return { ...doc, source: 'contact' };
    const found = claimed(user);
    if (found === undefined) return empty(user, 'unknown');
    // A contact whose profile has not reached me yet: her card names her, as the contact she is.
    if (contact) return { ...found, source: 'contact' };
    return checkCardUsername(core, user, found.username).ok ? found : { ...found, username: '' };
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
