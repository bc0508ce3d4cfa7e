import type { ConversationId, UserId } from '../ids.js';
import type { StorageWrite } from '../ports/storage.js';
import { DEFAULT_ROTATION_POLICY, planEpoch, type RotationPolicy } from '../crypto/epoch-planner.js';
import type { PublicIdentity } from '../crypto/identity.js';
import { sealKeyEnvelope, keysDocId, type KeyGrant } from '../crypto/key-envelope.js';
import { epochKeyHash, type EpochKeyInfo, type Keyring } from '../crypto/keyring.js';
import { SecretKey } from '../crypto/secret-key.js';
import type { IntroBook } from './intro-book.js';
import type { SessionDeps } from './session-deps.js';

/**
 * Group key epochs driven by this device (KEY-6, ADR 0006/0009): when the planner says rotate,
 * make a random epoch key, keep it, and hand it to every member in one key envelope carried by
 * their intros; members that have no copy of the current key yet (joiners) get it from any admin.
 *
 * SYNC-20: a joiner (or a member added back) also gets the full keys of the earlier epochs this
 * device holds (KEY-4 `sharedKeys`): a member's feed is one CRDT document across epochs, so
 * without the earlier changes nothing later in it applies either (Yjs and Automerge hold an
 * update until what it builds on arrives) — the joiner would never see an existing member's new
 * messages. Every member of a group therefore shows the same history.
 */
export interface GroupKeys {
  plan(conv: ConversationId, writes: StorageWrite[], authoredRemoval: boolean): void;
  /**
   * KEY-6c: a feed change of `conv` was sealed or opened under `epoch` on this device. Counts
   * those under the current epoch (persisted every VOLUME_PERSIST_EVERY, so a restart undercounts
   * by fewer than that) and re-plans when the count reaches the policy: an admin rotates.
   * Returns whether it re-planned (the caller then flushes the intro book).
   */
  noteMessage(conv: ConversationId, epoch: number, writes: StorageWrite[]): boolean;
  /** The current epoch of each group this device holds a key for (metadata, no key material). */
  epochs(): Record<string, number>;
  /** Members whose box key this device still needs (to look up) before it can give them keys. */
  unknownUsers(): UserId[];
}

/**
 * Keys (roster + shared, 36 bytes each) one sealed box can carry: KEY-4 caps the box at 4,096
 * bytes = 48 (seal) + 85 (prefix, conversation, recipient, epoch, key) + 2 × 2 (counts) + 36 × n.
 */
/** Meta key prefix of the KEY-6c message counts: `sync/epoch-volume/<conv>` → [epoch, count]. */
export const VOLUME_META = 'sync/epoch-volume/';
export const VOLUME_PERSIST_EVERY = 100;

export const MAX_KEYS_PER_GRANT = Math.floor((4096 - 48 - 85 - 4) / 36);
/**
 * Key envelopes beyond the first one joiner gets for earlier epochs (SYNC-22): with the first,
 * 33 boxes of 109 keys. Kept well under an intro's 64 key envelopes (intro-book splits intros).
 */
export const MAX_EXTRA_BOXES = 32;
/** Full keys of earlier epochs (SYNC-20) a joiner is given at most. */
export const MAX_SHARED_KEYS = MAX_KEYS_PER_GRANT * (1 + MAX_EXTRA_BOXES);

/**
 * The full keys of the epochs before `epoch` that `keyring` may pass on (neither provisional),
 * newest first, at most `room` of them: what a joiner needs to read the conversation's history.
 */
export function historyKeys(keyring: Pick<Keyring, 'epochs' | 'epochKey'>, conv: ConversationId, epoch: number, room: number): Array<{ epoch: number; key: SecretKey }> {
  const out: Array<{ epoch: number; key: SecretKey }> = [];
  for (const info of [...keyring.epochs(conv)].reverse()) {
    if (out.length >= room) break;
    if (info.epoch >= epoch || info.provisional === true) continue;
    const key = keyring.epochKey(conv, info.epoch, info.keyHash);
    if (key !== undefined) out.push({ epoch: info.epoch, key });
  }
  return out;
}

export function createGroupKeys(
  deps: Pick<SessionDeps, 'crypto' | 'identity' | 'keys' | 'memberships' | 'clock' | 'rotation'>,
  book: IntroBook,
  stored: ReadonlyArray<readonly [string, unknown]> = [],
): GroupKeys {
  const { crypto, identity, keys, memberships, clock } = deps;
  const policy: RotationPolicy = deps.rotation ?? DEFAULT_ROTATION_POLICY;
  const me = identity.userId;
  /** KEY-6c: per group, feed changes seen under its current epoch (`epoch` is the one counted). */
  const volume = new Map<ConversationId, { epoch: number; n: number }>();
  for (const [key, value] of stored) {
    if (!key.startsWith(VOLUME_META) || !Array.isArray(value)) continue;
    const [epoch, n] = value as unknown[];
    if (Number.isSafeInteger(epoch) && Number.isSafeInteger(n)) volume.set(key.slice(VOLUME_META.length) as ConversationId, { epoch: epoch as number, n: n as number });
  }
  const countFor = (conv: ConversationId, epoch: number | undefined): number => {
    const v = volume.get(conv);
    return v !== undefined && v.epoch === epoch ? v.n : 0;
  };
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

  /**
   * `joiners`: the recipients who also get the earlier epochs' keys (SYNC-20, SYNC-22). Members
   * that had the previous epoch hold every earlier roster key (derived from the full keys they
   * had, or given when they joined), so only joiners get keys of earlier epochs: the full keys
   * this device holds (newest first) and the bare roster keys of the epochs it has no full key
   * of. One box holds MAX_KEYS_PER_GRANT keys (KEY-4 ≤ 4,096 bytes): the first box rides in the
   * epoch's envelope (the other recipients' boxes there carry only the previous epoch's roster
   * key and stay small);
   * the rest go in further envelopes of the same epoch and key, one recipient each, at most
   * MAX_EXTRA_BOXES per joiner.
   */
  const distribute = (conv: ConversationId, epoch: number, key: SecretKey, removals: number, users: readonly UserId[], joiners: ReadonlySet<UserId>, writes: StorageWrite[]): void => {
    const recipients = users.map(publicOf).filter((p): p is PublicIdentity => p !== undefined);
    if (recipients.length === 0) return;
    const history = joiners.size === 0 ? [] : historyKeys(keys.keyring, conv, epoch, MAX_SHARED_KEYS);
    const full = new Set(history.map((h) => h.epoch));
    const roster = joiners.size === 0 ? [] : keys.keyring.rosterKeys(conv, epoch).filter((r) => !full.has(r.epoch)).reverse();
    // Box i of a joiner: history keys first (newest first), then bare roster keys (newest first).
    const earlier = [...history.map((k) => ({ kind: 'shared' as const, k })), ...roster.map((k) => ({ kind: 'roster' as const, k }))].slice(0, MAX_KEYS_PER_GRANT * (1 + MAX_EXTRA_BOXES));
    const box = (i: number): { rosterKeys: Array<{ epoch: number; key: SecretKey }>; sharedKeys: Array<{ epoch: number; key: SecretKey }> } => {
      const part = earlier.slice(i * MAX_KEYS_PER_GRANT, (i + 1) * MAX_KEYS_PER_GRANT);
      return { rosterKeys: part.filter((p) => p.kind === 'roster').map((p) => p.k), sharedKeys: part.filter((p) => p.kind === 'shared').map((p) => p.k) };
    };
    const fingerprint = `key-${conv}-${epoch}-${epochKeyHash(crypto, key)}`;
    const send = (grants: KeyGrant[], label: string): void => {
      const { counter, write } = book.nextCounter(keysDocId(conv));
      writes.push(write);
      const bytes = sealKeyEnvelope(crypto, { conversation: conv, epoch, key, removals, counter, grants }, identity);
      for (const g of grants) book.keyEnvelope(g.recipient.userId, bytes, `${fingerprint}-${g.recipient.userId === me ? 'self' : 'peer'}${label}`);
    };
    const first = box(0);
    // The others get the previous epoch's roster key only: it chains the new epoch at once
    // (KEY-8) even if the previous epoch's own envelope reaches them later.
    const previous = keys.keyring.rosterKeys(conv, epoch).filter((r) => r.epoch === epoch - 1);
    send(
      recipients.map((recipient) => (joiners.has(recipient.userId) ? { recipient, ...first } : { recipient, rosterKeys: previous })),
      '',
    );
    const boxes = Math.ceil(earlier.length / MAX_KEYS_PER_GRANT);
    for (const recipient of recipients) {
      if (!joiners.has(recipient.userId)) continue;
      for (let i = 1; i < boxes; i++) send([{ recipient, ...box(i) }], `-more-${i}`);
    }
  };

  /**
   * KEY-5, SYNC-20: concurrent rotations leave several keys for one epoch, and members may have
   * sealed under any of them before learning the canonical one. Every member not yet given one
   * of the other keys this device holds for the current epoch (not provisional, not historical)
   * gets it too, in its own key envelope like the canonical one's; otherwise a joiner given only
   * the canonical key never opens what was sealed under another. Earlier epochs' candidates
   * already travel as history keys (`historyKeys`).
   */
  const shareCandidates = (conv: ConversationId, current: EpochKeyInfo, members: readonly UserId[], writes: StorageWrite[]): void => {
    for (const info of keys.keyring.epochs(conv)) {
      if (info.epoch !== current.epoch || info.keyHash === current.keyHash || info.provisional === true || info.historical === true) continue;
      const key = keys.keyring.epochKey(conv, info.epoch, info.keyHash);
      if (key === undefined) continue;
      const fingerprint = `key-${conv}-${info.epoch}-${info.keyHash}`;
      const missing = members.filter((u) => !book.has(u, `${fingerprint}-${u === me ? 'self' : 'peer'}`) && !info.recipients.includes(u));
      if (missing.length > 0) distribute(conv, info.epoch, key, info.removals, missing, new Set(), writes);
    }
  };

  const groupKeys: GroupKeys = {
    unknownUsers: () => [...unknown],
    epochs() {
      const out: Record<string, number> = {};
      for (const conv of memberships.groups()) {
        const current = keys.keyring.current(conv);
        if (current !== undefined) out[conv] = current.info.epoch;
      }
      return out;
    },
    noteMessage(conv, epoch, writes) {
      const current = keys.keyring.current(conv)?.info.epoch;
      if (current === undefined || epoch !== current) return false;
      const n = countFor(conv, current) + 1;
      volume.set(conv, { epoch: current, n });
      if (n % VOLUME_PERSIST_EVERY === 0 || n === policy.maxMessages) writes.push({ type: 'putMeta', key: `${VOLUME_META}${conv}`, value: [current, n] });
      if (n < policy.maxMessages || memberships.state(conv)?.members.get(me)?.role !== 'admin') return false;
      groupKeys.plan(conv, writes, false);
      return true;
    },
    plan(conv, writes, authoredRemoval) {
      const state = memberships.state(conv);
      if (state === undefined || !state.created || state.members.get(me)?.role !== 'admin') return;
      const current = keys.keyring.current(conv);
      const now = clock.now();
      if (current !== undefined && state.removals > current.info.removals) {
        if (!staleSince.has(conv)) staleSince.set(conv, now);
      } else staleSince.delete(conv);
      const plan = planEpoch({ me, state, current: current?.info, messagesInEpoch: countFor(conv, current?.info.epoch), now, authoredRemoval, staleSince: staleSince.get(conv) ?? null, policy });
      const members = [...state.members.keys()].sort();
      // Members with no copy of the current key: joiners, or added back (SYNC-20: they get history).
      const fingerprint = current === undefined ? '' : `key-${conv}-${current.info.epoch}-${current.info.keyHash}`;
      const missing = current === undefined ? [] : members.filter((u) => !book.has(u, `${fingerprint}-${u === me ? 'self' : 'peer'}`) && !current.info.recipients.includes(u));
      if (plan.action === 'rotate') {
        const key = new SecretKey(crypto.randomBytes(32));
        const stored = keys.addEpochKey({ scope: conv, epoch: plan.epoch, removals: state.removals, createdAt: now, createdBy: me, recipients: plan.recipients }, key);
        // The keyring refused it (that epoch already holds its maximum of candidates): hand out
        // nothing — a key this device does not keep would never be the sending key anyway.
        if (stored.length === 0) return;
        writes.push(...stored);
        distribute(conv, plan.epoch, key, state.removals, plan.recipients, new Set(missing), writes);
        staleSince.delete(conv);
        return;
      }
      if (current === undefined || current.info.removals < state.removals) return;
      if (missing.length > 0) distribute(conv, current.info.epoch, current.key, current.info.removals, missing, new Set(missing), writes);
      shareCandidates(conv, current.info, members, writes);
    },
  };
  return groupKeys;
}
