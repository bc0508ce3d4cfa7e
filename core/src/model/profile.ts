import type { Json } from '../ports/crdt.js';
import type { UserId } from '../ids.js';
import { KithError } from '../errors.js';
import { isBoundedString } from './text.js';

/**
 * Where a profile's fields come from (DIR-4, ADR 0027): `own` my profile; `contact` the user's
 * profile document (a contact's, readable with the key they granted me); `member` only the
 * card they wrote in a group we share (their own words, but not someone I added: an app marks
 * such a name, e.g. "~Name"); `unknown` nothing (empty fields).
 */
export type ProfileSource = 'own' | 'contact' | 'member' | 'unknown';

/** A profile (`profile:<user>`, collection `profile`, one key per field). */
export interface Profile {
  readonly user: UserId;
  readonly source: ProfileSource;
  readonly username: string;
  readonly displayName: string;
  /** A blob id or URL of the avatar, or null. */
  readonly avatar: string | null;
  readonly about: string;
}
export type ProfilePatch = Partial<Pick<Profile, 'username' | 'displayName' | 'avatar' | 'about'>>;

export const PROFILE = 'profile';
const LIMITS = { username: 64, displayName: 100, about: 500, avatar: 512 } as const;
const USERNAME_RE = /^[a-z0-9_.-]{1,64}$/;

/** Validates a patch from an app call; returns the fields to write. */
export function expectProfilePatch(patch: unknown): Array<[string, Json]> {
  if (typeof patch !== 'object' || patch === null) throw new KithError('invalid_argument', 'profile patch must be an object');
  const out: Array<[string, Json]> = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (k === 'username') {
      if (typeof v !== 'string' || !USERNAME_RE.test(v)) throw new KithError('invalid_argument', 'username: 1–64 of a-z 0-9 _ . -');
    } else if (k === 'avatar') {
      if (v !== null && !isBoundedString(v, LIMITS.avatar)) throw new KithError('invalid_argument', 'avatar too long');
    } else if (k === 'displayName' || k === 'about') {
      if (!isBoundedString(v, LIMITS[k])) throw new KithError('invalid_argument', `${k} too long`);
    } else {
      throw new KithError('invalid_argument', 'unknown profile field');
    }
    out.push([k, v as Json]);
  }
  return out;
}

/** Reads a profile from its entries, ignoring invalid ones (returns how many were ignored). */
export function readProfile(user: UserId, get: (key: string) => unknown): { profile: Profile; invalid: number } {
  let invalid = 0;
  const str = (key: keyof typeof LIMITS, nullable: boolean): string | null => {
    const v = get(key);
    if (v === undefined) return nullable ? null : '';
    if ((nullable && v === null) || isBoundedString(v, LIMITS[key])) return v;
    invalid++;
    return nullable ? null : '';
  };
  const username = str('username', false) ?? '';
  const profile: Profile = {
    user,
    source: 'contact',
    username: USERNAME_RE.test(username) || username === '' ? username : '',
    displayName: str('displayName', false) ?? '',
    avatar: str('avatar', true),
    about: str('about', false) ?? '',
  };
  return { profile, invalid };
}
