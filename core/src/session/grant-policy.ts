import { directConversationId, toHex, type ConversationId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import { scopeRefOf } from '../model/doc-ids.js';
import type { MembershipViews } from './membership-views.js';

/** M4: groups not known yet (no created log) that one sender may introduce me to (per run). */
export const MAX_UNKNOWN_GROUPS_PER_SENDER = 64;

/**
 * Who may hand me what in an intro (review M4, SYNC-17).
 * - `mayGrant(scope, from)`: my own account anything but others' `account:` scopes; anyone
 *   else only a scope it belongs to: `profile:<from>`, `contact:<me>:<from>` / `contact:<from>:<me>`,
 *   `conv:<directConversationId(me, from)>`, a known group (created log) it is a member of.
 * - A `conv:` scope with no log known cannot be checked (a group I am being invited to looks
 *   like anyone's direct conversation): it is accepted up to MAX_UNKNOWN_GROUPS_PER_SENDER per
 *   sender, and its token is remembered as UNVERIFIED (meta `sync/unverified/<scope>/<hash>`,
 *   never the token itself) so that I never reuse it for a scope I must claim myself — planting
 *   a token for my direct conversation with someone else cannot stop me claiming my own.
 */
export interface GrantPolicy {
  mayGrant(scope: string, from: UserId): { readonly ok: boolean; readonly verified: boolean };
  /** For key envelopes of a group whose log is not known yet (capped per sender like tokens). */
  mayIntroduceUnknown(from: UserId, conv: ConversationId): boolean;
  /** Remembers a token taken unverified; returns the write that persists the mark. */
  markUnverified(scope: string, token: string): StorageWrite[];
  isUnverified(scope: string, token: string): boolean;
}

export async function loadGrantPolicy(deps: { crypto: CryptoPort; storage: Storage; me: UserId; memberships: MembershipViews }): Promise<GrantPolicy> {
  const { crypto, me, memberships } = deps;
  const mark = (scope: string, token: string): string => `${scope}/${toHex(crypto.hash(new TextEncoder().encode(`kith/v1/token-mark\0${token}`), 16))}`;
  const unverified = new Set((await deps.storage.listMeta('sync/unverified/')).map(([k]) => k.slice('sync/unverified/'.length)));
  const unknownBySender = new Map<UserId, Set<ConversationId>>();
  const mayIntroduceUnknown = (from: UserId, conv: ConversationId): boolean => {
    if (from === me) return true;
    const seen = unknownBySender.get(from) ?? new Set<ConversationId>();
    unknownBySender.set(from, seen);
    if (seen.has(conv)) return true;
    if (seen.size >= MAX_UNKNOWN_GROUPS_PER_SENDER) return false;
    seen.add(conv);
    return true;
  };
  const yes = { ok: true, verified: true } as const;
  const no = { ok: false, verified: false } as const;
  return {
    mayIntroduceUnknown,
    mayGrant(scope, from) {
      const ref = scopeRefOf(scope);
      if (ref === undefined) return no;
      if (from === me) return yes;
      if (ref.kind === 'profile') return ref.user === from ? yes : no;
      if (ref.kind === 'contact') return ref.to !== undefined && ((ref.from === me && ref.to === from) || (ref.from === from && ref.to === me)) ? yes : no;
      if (ref.kind !== 'conv') return no;
      const conv = ref.conversation;
      if (from !== me && directConversationId(me, from) === conv) return yes;
      if (memberships.isDirect(conv)) return no;
      const state = memberships.state(conv);
      if (state?.created === true) return state.members.has(from) ? yes : no;
      return mayIntroduceUnknown(from, conv) ? { ok: true, verified: false } : no;
    },
    markUnverified(scope, token) {
      const key = mark(scope, token);
      if (unverified.has(key)) return [];
      unverified.add(key);
      return [{ type: 'putMeta', key: `sync/unverified/${key}`, value: true }];
    },
    isUnverified: (scope, token) => unverified.has(mark(scope, token)),
  };
}
