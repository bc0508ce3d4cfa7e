import type { ConversationId, UserId } from '../ids.js';
import type { StorageWrite } from '../ports/storage.js';
import { planEpoch } from '../crypto/epoch-planner.js';
import type { PublicIdentity } from '../crypto/identity.js';
import { sealKeyEnvelope, keysDocId } from '../crypto/key-envelope.js';
import { epochKeyHash } from '../crypto/keyring.js';
import { SecretKey } from '../crypto/secret-key.js';
import type { IntroBook } from './intro-book.js';
import type { SessionDeps } from './secure-session.js';

/**
 * Group key epochs driven by this device (KEY-6, ADR 0006/0009): when the planner says rotate,
 * make a random epoch key, keep it, and hand it to every member in one key envelope carried by
 * their intros; members that have no copy of the current key yet (joiners) get it from any admin.
 */
export interface GroupKeys {
  plan(conv: ConversationId, writes: StorageWrite[], authoredRemoval: boolean): void;
  /** Members whose box key this device still needs (to look up) before it can give them keys. */
  unknownUsers(): UserId[];
}

export function createGroupKeys(deps: SessionDeps, book: IntroBook): GroupKeys {
  const { crypto, identity, keys, replicas, clock } = deps;
  const me = identity.userId;
  const staleSince = new Map<ConversationId, number>();
  const unknown = new Set<UserId>();

  const publicOf = (user: UserId): PublicIdentity | undefined => {
    if (user === me) return identity.public;
    const known = keys.user(user);
    if (known === undefined) {
      unknown.add(user);
      return undefined;
    }
    unknown.delete(user);
    return { userId: user, signingKey: known.signingKey, boxKey: known.boxKey, boxKeySignature: new Uint8Array(64) };
  };

  const distribute = (conv: ConversationId, epoch: number, key: SecretKey, removals: number, users: readonly UserId[], writes: StorageWrite[]): void => {
    const recipients = users.map(publicOf).filter((p): p is PublicIdentity => p !== undefined);
    if (recipients.length === 0) return;
    const { counter, write } = book.nextCounter(keysDocId(conv));
    writes.push(write);
    const rosterKeys = keys.keyring.rosterKeys(conv, epoch);
    const bytes = sealKeyEnvelope(crypto, { conversation: conv, epoch, key, removals, counter, grants: recipients.map((recipient) => ({ recipient, rosterKeys })) }, identity);
    const fingerprint = `key-${conv}-${epoch}-${epochKeyHash(crypto, key)}`;
    for (const r of recipients) book.keyEnvelope(r.userId, bytes, `${fingerprint}-${r.userId === me ? 'self' : 'peer'}`);
  };

  return {
    unknownUsers: () => [...unknown],
    plan(conv, writes, authoredRemoval) {
      const state = replicas.state(conv);
      if (state === undefined || !state.created || state.members.get(me)?.role !== 'admin') return;
      const current = keys.keyring.current(conv);
      const now = clock.now();
      if (current !== undefined && state.removals > current.info.removals) {
        if (!staleSince.has(conv)) staleSince.set(conv, now);
      } else staleSince.delete(conv);
      const plan = planEpoch({ me, state, current: current?.info, messagesInEpoch: 0, now, authoredRemoval, staleSince: staleSince.get(conv) ?? null });
      const members = [...state.members.keys()].sort();
      if (plan.action === 'rotate') {
        const key = new SecretKey(crypto.randomBytes(32));
        writes.push(...keys.addEpochKey({ scope: conv, epoch: plan.epoch, removals: state.removals, createdAt: now, createdBy: me, recipients: plan.recipients }, key));
        distribute(conv, plan.epoch, key, state.removals, plan.recipients, writes);
        staleSince.delete(conv);
        return;
      }
      if (current === undefined || current.info.removals < state.removals) return;
      const fingerprint = `key-${conv}-${current.info.epoch}-${current.info.keyHash}`;
      const missing = members.filter((u) => !book.has(u, `${fingerprint}-${u === me ? 'self' : 'peer'}`) && !current.info.recipients.includes(u));
      if (missing.length > 0) distribute(conv, current.info.epoch, current.key, current.info.removals, missing, writes);
    },
  };
}
