import type { UserId } from '../../ids.js';
import type { Profile, ProfilePatch } from '../../model/profile.js';
import type { ApiContext } from './context.js';
import { parseUserId } from '../../ids.js';
import { profileDocId } from '../../model/doc-ids.js';
import { expectProfilePatch, PROFILE, readProfile } from '../../model/profile.js';
import { serial } from './context.js';

export interface ProfileApi {
  update(patch: ProfilePatch): Promise<Profile>;
  /** My profile, or someone else's as last synced (empty fields when unknown). */
  get(user?: UserId): Profile;
}

export function createProfileApi(ctx: ApiContext): ProfileApi {
  const { core, writer } = ctx;
  const get = (user: UserId): Profile => {
    const doc = core.docs.get(profileDocId(user));
    const { profile, invalid } = readProfile(user, (key) => doc?.crdt.get(PROFILE, key));
    core.stats.invalidEntries += invalid;
    return profile;
  };
  return {
    update: (patch) =>
      serial(ctx, async () => {
        const fields = expectProfilePatch(patch);
        await writer.update(
          profileDocId(core.me),
          fields.map(([key, value]) => ({ op: 'set' as const, collection: PROFILE, key, value })),
        );
        return get(core.me);
      }),
    get: (user) => get(user === undefined ? core.me : parseUserId(user)),
  };
}
