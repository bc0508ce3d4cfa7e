import { fail, ok, type Result } from '../errors.js';
import { directConversationId, parseConversationId, type ConversationId, type DocId, type UserId } from '../ids.js';
import type { Clock } from '../ports/clock.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Kith } from '../kith.js';
import { createMembershipAuthorizer, type Authorize } from '../crypto/authorize.js';
import type { CounterTracker } from '../crypto/counter-tracker.js';
import { openEnvelopeUncommitted, type UncommittedChange } from '../crypto/envelope-open.js';
import { sealChange, sealChangeWithKeyring } from '../crypto/envelope-seal.js';
import { checkSendable, type RotationPolicy } from '../crypto/epoch-planner.js';
import type { Identity } from '../crypto/identity.js';
import { keyScopeOf } from '../crypto/keyring.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createGroupKeys, VOLUME_META, type GroupKeys } from './group-keys.js';
import { inboxDocId, type IntroGrant } from './intro.js';
import { IntroBook } from './intro-book.js';
import type { KeyStore } from './key-store.js';
import type { MembershipReplicas } from './membership-replicas.js';
import { deriveOwnSecrets, randomToken, type OwnSecrets } from './own-secrets.js';
import { capabilityScopeOf } from '../protocol/relay-signing.js';

/** An envelope waiting for the relay's acknowledgement (meta `sync/push/<doc>|<counter>`). */
export interface QueuedPush {
  readonly key: string;
  readonly doc: DocId;
  readonly bytes: Uint8Array;
  /** The change it carries (acknowledged to the engine when the relay stores it). */
  readonly change?: DocChange;
}

export interface SessionDeps {
  readonly crypto: CryptoPort;
  readonly identity: Identity;
  readonly kith: Kith;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly keys: KeyStore;
  readonly replicas: MembershipReplicas;
  /** Counters of opened envelopes (persisted by the caller with its cursors, M6). */
  readonly counters: CounterTracker;
  /** M4: tokens taken from an unverifiable grant; never reused as this device's own token of a scope. */
  readonly isUnverifiedToken?: (scope: string, token: string) => boolean;
  /** Capability scopes to claim at the relay (token, and the peer for a direct scope). */
  readonly claim: (scope: string, token: string, peer?: UserId) => StorageWrite[];
  readonly queue: (push: QueuedPush) => void;
  /** KEY-6 rotation policy of the groups this device administers (default DEFAULT_ROTATION_POLICY). */
  readonly rotation?: RotationPolicy;
}

/**
 * The secure pipeline (SYNC-1/2): local change → sealed envelope queued durably; envelope from
 * the relay → opened, verified, authorized → a `DocChange` for the engine. It also keeps the
 * key state moving: pair keys for direct conversations and contact documents, group epochs
 * (via GroupKeys), and the introductions that hand tokens and keys to the people who need them.
 */
export interface SecureSession {
  readonly own: OwnSecrets;
  readonly inbox: DocId;
  readonly authorize: Authorize;
  /** Seals a local change and queues it; `unknown_epoch` / `not_a_member` mean: wait, try later. */
  sealOutgoing(change: DocChange): Promise<Result<void>>;
  /**
   * SYNC-21: whether a local feed change can never be sealed: its conversation's membership
   * lists me as removed (or left) and not a member again, so no member would accept it (AUTH-1).
   */
  departed(change: DocChange): boolean;
  /**
   * Opens an envelope from the relay (not for the inbox) WITHOUT recording its counter or
   * taking its membership op (M1): nothing changes until `accept`.
   */
  open(bytes: Uint8Array): Result<UncommittedChange>;
  /**
   * The engine took the change (applied, pending, duplicate) or refused it for good: records
   * its counter (a later copy is a `replay`) and, when `taken`, feeds a membership op to the
   * replica and re-plans that group's keys. Returns the counter commit's result (`equivocation`
   * if another envelope took the counter meanwhile).
   */
  accept(opened: UncommittedChange, taken: boolean): Promise<Result<void>>;
  readonly book: IntroBook;
  readonly groupKeys: GroupKeys;
  /** Re-runs the epoch planner of every group (after membership or time changes). */
  replan(): Promise<void>;
}

export async function createSecureSession(deps: SessionDeps): Promise<SecureSession> {
  const { crypto, identity, kith, storage, keys, replicas, clock } = deps;
  const me = identity.userId;
  const own = deriveOwnSecrets(crypto, identity);
  const inbox = inboxDocId(crypto, me);
  const counters = deps.counters;
  const authorize = createMembershipAuthorizer((c) => replicas.view(c));
  keys.keyring.addEpochKey({ scope: `account:${me}`, epoch: 0, removals: 0, createdAt: 0, createdBy: me, recipients: [me] }, own.accountKey);
  keys.keyring.addEpochKey({ scope: `profile:${me}`, epoch: 0, removals: 0, createdAt: 0, createdBy: me, recipients: [me] }, own.profileKey);
  const book = await IntroBook.load(deps, own, inbox);
  const groupKeys = createGroupKeys(deps, book, await storage.listMeta(VOLUME_META));
  /** The group a feed document belongs to (undefined: not a feed, or a direct conversation). */
  const groupOf = (doc: string): ConversationId | undefined => {
    const [kind, convText] = doc.split(':');
    if (kind !== 'feed' || convText === undefined || replicas.isDirect(convText as ConversationId)) return undefined;
    return convText as ConversationId;
  };

  /** The pair key of me and `peer` (created at random the first time), under its three scopes. */
  const pairKey = (peer: UserId, writes: StorageWrite[]): SecretKey => {
    const conv = directConversationId(me, peer);
    const current = keys.keyring.current(conv);
    if (current !== undefined) return current.key;
    const key = new SecretKey(crypto.randomBytes(32));
    for (const scope of [conv, `contact:${me}:${peer}`, `contact:${peer}:${me}`]) {
      writes.push(...keys.addEpochKey({ scope, epoch: 0, removals: 0, createdAt: clock.now(), createdBy: me, recipients: [me, peer] }, key));
    }
    writes.push(...replicas.setDirect(conv, [me, peer].sort() as [UserId, UserId]));
    return key;
  };

  /** A token of `scope` that I (or the peer of a direct scope) chose, else a new one claimed now (M4). */
  const ensureToken = (scope: string, writes: StorageWrite[], peer?: UserId): string => {
    const existing = keys.tokens(scope).find((t) => deps.isUnverifiedToken?.(scope, t) !== true);
    if (existing !== undefined) return existing;
    const token = randomToken(crypto);
    writes.push(...keys.addToken(scope, token), ...deps.claim(scope, token, peer));
    return token;
  };

  /** What `user` needs to read documents of `scope` (no key material for groups: GroupKeys sends it). */
  const grantFor = (scope: string, user: UserId, writes: StorageWrite[]): IntroGrant | undefined => {
    const [kind, a, b] = scope.split(':') as [string, string, string | undefined];
    if (kind === 'account') return undefined;
    if (kind === 'profile') return a === me ? { scope, token: own.profileToken, key: own.profileKey.expose(), epoch: 0 } : undefined;
    if (kind === 'contact' && b !== undefined) {
      const peer = (a === me ? b : a) as UserId;
      const key = pairKey(peer, writes);
      const token = a === me ? ensureToken(scope, writes) : keys.tokens(scope)[0];
      return { scope, ...(token === undefined ? {} : { token }), key: key.expose(), epoch: 0, ...(user === me ? { peer } : {}) };
    }
    const conv = a as ConversationId;
    if (replicas.isDirect(conv)) {
      const view = replicas.view(conv);
      const peer = [...(view?.members.keys() ?? [])].find((u) => u !== me);
      if (peer === undefined) return undefined;
      return { scope, token: ensureToken(scope, writes, peer), key: pairKey(peer, writes).expose(), epoch: 0, ...(user === me ? { peer } : {}) };
    }
    const token = keys.tokens(scope)[0];
    return token === undefined ? undefined : { scope, token };
  };

  const detectDirect = (doc: DocId, writes: StorageWrite[]): void => {
    const [kind, conv] = doc.split(':');
    if (kind !== 'feed' || conv === undefined || replicas.view(conv as ConversationId) !== undefined) return;
    const others = kith.audience(doc).filter((u) => u !== me);
    const peer = others[0];
    if (others.length === 1 && peer !== undefined && directConversationId(me, peer) === conv) pairKey(peer, writes);
  };

  return {
    own,
    inbox,
    authorize,
    book,
    groupKeys,
    async sealOutgoing(change) {
      const writes: StorageWrite[] = [];
      const [kind, convText] = change.doc.split(':');
      /**
       * KEY-9: an op that removes members is sealed under the epoch BEFORE it, which the removed
       * members hold: they learn of their removal (and stop sending) instead of parking an op
       * sealed under a key they are rightly never given. Later ops use the new epoch.
       */
      let sealUnder: { epoch: number; key: SecretKey } | undefined;
      if (change.kind === 'member' && convText !== undefined) {
        const conv = parseConversationId(convText);
        const prior = keys.keyring.current(keyScopeOf(change.doc));
        const before = replicas.state(conv)?.removals ?? 0;
        writes.push(...replicas.receive(conv, change.payload, me).writes);
        const raised = (replicas.state(conv)?.removals ?? 0) > before;
        if (raised && prior !== undefined) sealUnder = { epoch: prior.info.epoch, key: prior.key };
        if (replicas.state(conv)?.creator === me && replicas.state(conv)?.members.get(me) !== undefined) ensureToken(`conv:${conv}`, writes);
        groupKeys.plan(conv, writes, raised);
      }
      detectDirect(change.doc, writes);
      if (kind === 'contact') {
        const [, a, b] = change.doc.split(':');
        pairKey((a === me ? b : a) as UserId, writes);
      }
      const scope = keyScopeOf(change.doc);
      const group = groupOf(change.doc);
      if (group !== undefined) {
        const state = replicas.view(group);
        if (state === undefined) return fail('unknown_conversation', 'membership not known yet');
        const gate = checkSendable(state, me, keys.keyring.current(scope)?.info);
        if (!gate.ok) {
          if (writes.length > 0) await storage.commit(writes);
          return gate;
        }
      }
      if (keys.keyring.current(scope) === undefined) {
        if (writes.length > 0) await storage.commit(writes);
        return fail('unknown_epoch', 'no key for this document yet');
      }
      const sealedEpoch = sealUnder?.epoch ?? keys.keyring.current(scope)?.info.epoch;
      const bytes = sealUnder !== undefined ? sealChange(crypto, change, sealUnder.epoch, sealUnder.key, identity) : sealChangeWithKeyring(crypto, change, keys.keyring, identity);
      if (group !== undefined && sealedEpoch !== undefined) groupKeys.noteMessage(group, sealedEpoch, writes);
      const key = `${change.doc}|${change.counter}`;
      writes.push({ type: 'putMeta', key: `sync/push/${key}`, value: bytes });
      const capScope = capabilityScopeOf(change.doc);
      for (const user of new Set([...kith.audience(change.doc), me])) {
        const grant = grantFor(capScope, user, writes);
        if (grant !== undefined) book.grant(user, grant);
        if (user !== me) {
          const profile = grantFor(`profile:${me}`, user, writes);
          if (profile !== undefined) book.grant(user, profile);
        }
      }
      writes.push(...book.flush());
      await storage.commit(writes);
      deps.queue({ key, doc: change.doc, bytes, change });
      book.queueFlushed();
      return ok(undefined);
    },
    departed(change) {
      const [kind, convText] = change.doc.split(':');
      if (kind !== 'feed' || convText === undefined || change.author !== me) return false;
      const state = replicas.view(convText as ConversationId);
      return state !== undefined && !state.members.has(me) && state.former.has(me);
    },
    open: (bytes) => openEnvelopeUncommitted(crypto, bytes, { keyring: keys.keyring, authorize, counters }),
    async accept(opened, taken) {
      const committed = opened.commit();
      if (!taken) return committed;
      const writes: StorageWrite[] = [];
      if (opened.change.kind !== 'member') {
        const group = groupOf(opened.change.doc);
        if (group === undefined) return committed;
        // Only a rotation (rare) has intros to send; otherwise at most the persisted count. The
        // book is flushed only then, so intros queued by a concurrent seal are not pushed here
        // before that seal's own commit (their counters) is durable.
        const rotated = groupKeys.noteMessage(group, opened.epoch, writes);
        if (rotated) writes.push(...book.flush());
        if (writes.length > 0) await storage.commit(writes);
        if (rotated) book.queueFlushed();
        return committed;
      }
      const conv = parseConversationId(opened.change.doc.split(':')[1]);
      const rr = replicas.receive(conv, opened.change.payload, opened.change.author);
      writes.push(...rr.writes);
      if (rr.changed) groupKeys.plan(conv, writes, false);
      writes.push(...book.flush());
      if (writes.length > 0) await storage.commit(writes);
      book.queueFlushed();
      return committed;
    },
    async replan() {
      const writes: StorageWrite[] = [];
      for (const conv of replicas.groups()) groupKeys.plan(conv, writes, false);
      writes.push(...book.flush());
      if (writes.length > 0) await storage.commit(writes);
      book.queueFlushed();
    },
  };
}
