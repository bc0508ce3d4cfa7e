import { directConversationId, type DocId, type UserId } from '../ids.js';
import { contentConversationOf, scopeRefOf } from '../model/doc-ids.js';
import type { StorageWrite } from '../ports/storage.js';
import { SecretKey } from '../crypto/secret-key.js';
import type { IntroGrant } from './intro.js';
import type { OwnSecrets } from './own-secrets.js';
import { randomToken } from './own-secrets.js';
import type { SessionDeps } from './session-deps.js';

/**
 * What this device hands out so others can read what it writes (SYNC-3, SYNC-4): the pair key
 * of a direct conversation (created at random the first time, under its three scopes), read
 * tokens of the scopes it claims, and the intro grant one user needs for one capability scope.
 * Every function returns its storage writes through `writes` (committed by the caller).
 */
export interface Grants {
  /** The pair key of me and `peer`, created the first time (conversation and both contact scopes). */
  pairKey(peer: UserId, writes: StorageWrite[]): SecretKey;
  /** A token of `scope` that I (or the peer of a direct scope) chose, else a new one claimed now (M4). */
  ensureToken(scope: string, writes: StorageWrite[], peer?: UserId): string;
  /** What `user` needs to read documents of `scope` (no key material for groups: GroupKeys sends it). */
  grantFor(scope: string, user: UserId, writes: StorageWrite[]): IntroGrant | undefined;
  /**
   * Every grant `user` needs for `scope`: a group's read tokens are all sent (the newest
   * `GROUP_TOKENS`), whatever order they reached me in, so a joiner gets the current one after a
   * rotation (SYNC-24) — to my own devices, and, if I am an admin of the group, to users my
   * membership view lists as its members.
   */
  grantsFor(scope: string, user: UserId, writes: StorageWrite[]): IntroGrant[];
  /** A feed of a conversation not known yet whose audience is me and one peer of that direct id: make the pair key. */
  detectDirect(doc: DocId, writes: StorageWrite[]): void;
}

/** How many of a group's newest read tokens a grant carries (older ones were rotated out, SYNC-24). */
export const GROUP_TOKENS = 8;

export function createGrants(deps: Pick<SessionDeps, 'crypto' | 'identity' | 'engine' | 'clock' | 'keys' | 'memberships' | 'isUnverifiedToken' | 'claim'>, own: OwnSecrets): Grants {
  const { crypto, identity, engine, keys, memberships, clock } = deps;
  const me = identity.userId;

  const pairKey = (peer: UserId, writes: StorageWrite[]): SecretKey => {
    const conv = directConversationId(me, peer);
    const current = keys.keyring.current(conv);
    if (current !== undefined) return current.key;
    const key = new SecretKey(crypto.randomBytes(32));
    for (const scope of [conv, `contact:${me}:${peer}`, `contact:${peer}:${me}`]) {
      writes.push(...keys.addEpochKey({ scope, epoch: 0, removals: 0, createdAt: clock.now(), createdBy: me, recipients: [me, peer] }, key));
    }
    writes.push(...memberships.setDirect(conv, [me, peer].sort() as [UserId, UserId]));
    return key;
  };

  const ensureToken = (scope: string, writes: StorageWrite[], peer?: UserId): string => {
    const existing = keys.tokens(scope).find((t) => deps.isUnverifiedToken?.(scope, t) !== true);
    if (existing !== undefined) return existing;
    const token = randomToken(crypto);
    writes.push(...keys.addToken(scope, token), ...deps.claim(scope, token, peer));
    return token;
  };

  const grantFor = (scope: string, user: UserId, writes: StorageWrite[]): IntroGrant | undefined => {
    const ref = scopeRefOf(scope);
    if (ref === undefined) return undefined;
    if (ref.kind === 'profile') return ref.user === me ? { scope, token: own.profileToken, key: own.profileKey.expose(), epoch: 0 } : undefined;
    if (ref.kind === 'contact') {
      if (ref.to === undefined) return undefined;
      const peer = ref.from === me ? ref.to : ref.from;
      const key = pairKey(peer, writes);
      const token = ref.from === me ? ensureToken(scope, writes) : keys.tokens(scope)[0];
      return { scope, ...(token === undefined ? {} : { token }), key: key.expose(), epoch: 0, ...(user === me ? { peer } : {}) };
    }
    if (ref.kind !== 'conv') return undefined;
    const conv = ref.conversation;
    if (memberships.isDirect(conv)) {
      const view = memberships.view(conv);
      const peer = [...(view?.members.keys() ?? [])].find((u) => u !== me);
      if (peer === undefined) return undefined;
      return { scope, token: ensureToken(scope, writes, peer), key: pairKey(peer, writes).expose(), epoch: 0, ...(user === me ? { peer } : {}) };
    }
    const token = keys.tokens(scope).at(-1);
    return token === undefined ? undefined : { scope, token };
  };

  const grantsFor = (scope: string, user: UserId, writes: StorageWrite[]): IntroGrant[] => {
    const ref = scopeRefOf(scope);
    if (ref?.kind === 'conv' && !memberships.isDirect(ref.conversation)) {
      // To others only as an admin (trusted for membership), and only to members of my membership view:
      // a member who holds a rotated token before she applied the removal that caused it would
      // otherwise hand it to the removed member with her next message.
      const view = memberships.view(ref.conversation);
      if (user !== me && (view?.members.get(me)?.role !== 'admin' || !view.members.has(user))) return [];
      return keys.tokens(scope).slice(-GROUP_TOKENS).map((token) => ({ scope, token }));
    }
    const grant = grantFor(scope, user, writes);
    return grant === undefined ? [] : [grant];
  };

  const detectDirect = (doc: DocId, writes: StorageWrite[]): void => {
    const conv = contentConversationOf(doc);
    if (conv === undefined || memberships.view(conv) !== undefined) return;
    const others = engine.audience(doc).filter((u) => u !== me);
    const peer = others[0];
    if (others.length === 1 && peer !== undefined && directConversationId(me, peer) === conv) pairKey(peer, writes);
  };

  return { pairKey, ensureToken, grantFor, grantsFor, detectDirect };
}
