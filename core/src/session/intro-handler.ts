import { directConversationId, parseConversationId, type ConversationId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { StorageWrite } from '../ports/storage.js';
import type { Authorize } from '../crypto/authorize.js';
import { createCounterTracker, type CounterTracker } from '../crypto/counter-tracker.js';
import type { Identity } from '../crypto/identity.js';
import { openKeyEnvelope } from '../crypto/key-envelope.js';
import { SecretKey } from '../crypto/secret-key.js';
import { fail, ok, type Result } from '../errors.js';
import { conversationOfDoc, scopeRefOf } from '../model/doc-ids.js';
import { openIntro } from './intro.js';
import type { KeyStore } from './key-store.js';
import type { GrantPolicy } from './grant-policy.js';
import type { MembershipViews } from './membership-views.js';

export interface IntroHandlerDeps {
  readonly crypto: CryptoPort;
  readonly identity: Identity;
  readonly keys: KeyStore;
  readonly memberships: MembershipViews;
  readonly authorize: Authorize;
  readonly now: () => number;
  /** Counters of opened key envelopes (the client's persisted store, M6); a fresh one if absent. */
  readonly counters?: CounterTracker;
  /** Who may grant what (M4). */
  readonly policy: GrantPolicy;
}

/**
 * Applies an intro from my inbox (SYNC-4): remembers the sender's keys, stores read tokens and
 * keys, and returns the document prefixes to follow from now on. A grant (token or key) is
 * taken only from someone who may grant its scope (`GrantPolicy`, M4, SYNC-17). Tokens are
 * only appended, so a later grant never displaces one already held; one taken for a group
 * not known yet is marked unverified (never reused as my own token of a scope).
 * Key envelopes of such a group are accepted provisionally (the log they unlock is then
 * checked op by op, MEM-*); once the log is known, only admins'.
 */
export function createIntroHandler(deps: IntroHandlerDeps): (bytes: Uint8Array) => Result<{ writes: StorageWrite[]; follow: string[] }> {
  const { crypto, identity, keys, memberships } = deps;
  const me = identity.userId;
  const counters = deps.counters ?? createCounterTracker();
  const provisional: Authorize = (claim) => {
    const conv = conversationOfDoc(claim.doc);
    return conv === undefined || memberships.state(conv)?.created === true ? deps.authorize(claim) : ok(undefined);
  };
  const pair = (peer: UserId, key: Uint8Array, by: UserId, writes: StorageWrite[]): ConversationId => {
    const conv = directConversationId(me, peer);
    const secret = new SecretKey(key);
    for (const scope of [conv, `contact:${me}:${peer}`, `contact:${peer}:${me}`]) {
      writes.push(...keys.addEpochKey({ scope, epoch: 0, removals: 0, createdAt: deps.now(), createdBy: by, recipients: [me, peer] }, secret));
    }
    writes.push(...memberships.setDirect(conv, [me, peer].sort() as [UserId, UserId]));
    return conv;
  };
  return (bytes) => {
    const r = openIntro(crypto, identity, bytes);
    if (!r.ok) return r;
    const { from, grants, keyEnvelopes } = r.value;
    const writes: StorageWrite[] = [];
    const follow: string[] = [];
    if (from.userId !== me) writes.push(...keys.addUser(from.userId, { signingKey: from.signingKey, boxKey: from.boxKey }));
    for (const g of grants) {
      const may = deps.policy.mayGrant(g.scope, from.userId);
      if (!may.ok) continue;
      if (g.token !== undefined) {
        writes.push(...keys.addToken(g.scope, g.token));
        if (!may.verified) writes.push(...deps.policy.markUnverified(g.scope, g.token));
      }
      const ref = scopeRefOf(g.scope);
      if (ref?.kind === 'conv') {
        const a = ref.conversation;
        if (g.key === undefined) {
          follow.push(`members:${a}`, `feed:${a}:`);
          continue;
        }
        const peer = from.userId === me ? g.peer : from.userId;
        if (peer === undefined || peer === me || directConversationId(me, peer) !== a) continue;
        pair(peer, g.key, from.userId, writes);
        follow.push(`feed:${a}:`);
      } else if (ref?.kind === 'contact' && ref.to !== undefined && g.key !== undefined) {
        const { from: a, to: b } = ref;
        const users = [a, b];
        if (!users.includes(me) || !users.includes(from.userId) || a === b) continue;
        pair(a === me ? b : a, g.key, from.userId, writes);
        follow.push(g.scope);
      } else if (ref?.kind === 'profile' && g.key !== undefined && ref.user === from.userId) {
        writes.push(...keys.addEpochKey({ scope: g.scope, epoch: g.epoch ?? 0, removals: 0, createdAt: deps.now(), createdBy: from.userId, recipients: [] }, new SecretKey(g.key)));
        follow.push(g.scope);
      }
    }
    for (const bytesOfKey of keyEnvelopes) {
      const o = openKeyEnvelope(crypto, bytesOfKey, { identity, authorize: provisional, counters });
      if (!o.ok) continue;
      const k = o.value;
      const conv = parseConversationId(k.conversation);
      if (memberships.state(conv)?.created !== true && !memberships.isDirect(conv) && !deps.policy.mayIntroduceUnknown(from.userId, conv)) continue;
      // C2 (KEY-8): a key taken before the group's log is known opens only; it may become the
      // sending key once `revalidate` finds its creator a current admin (membership-views).
      const provisionalKey = memberships.state(conv)?.created !== true && !memberships.isDirect(conv);
      const flags = provisionalKey ? { provisional: true } : {};
      writes.push(...keys.addEpochKey({ scope: k.conversation, epoch: k.epoch, removals: k.removals, createdAt: deps.now(), createdBy: k.author, recipients: k.recipients, ...flags }, k.key));
      for (const rk of k.rosterKeys) if (rk.epoch < k.epoch) writes.push(...keys.addRosterKey(k.conversation, rk.epoch, rk.key));
      for (const sk of k.sharedKeys) {
        if (sk.epoch >= k.epoch) continue;
        writes.push(...keys.addEpochKey({ scope: k.conversation, epoch: sk.epoch, removals: 0, createdAt: deps.now(), createdBy: k.author, recipients: [], historical: true }, sk.key));
      }
      const view = memberships.view(conv);
      if (view !== undefined) keys.keyring.revalidate(k.conversation, view);
      follow.push(`members:${conv}`, `feed:${conv}:`);
    }
    if (writes.length === 0 && follow.length === 0) return fail('not_found', 'intro held nothing new');
    return ok({ writes, follow });
  };
}
