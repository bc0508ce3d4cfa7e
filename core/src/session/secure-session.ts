import type { Result } from '../errors.js';
import { parseConversationId, type ConversationId, type DocId } from '../ids.js';
import type { StorageWrite } from '../ports/storage.js';
import type { DocChange } from '../protocol/doc-change.js';
import { contentConversationOf, conversationOfDoc } from '../model/doc-ids.js';
import { createMembershipAuthorizer, type Authorize } from '../crypto/authorize.js';
import { openDecodedUncommitted, type UncommittedChange } from '../crypto/envelope-open.js';
import type { Envelope } from '../protocol/envelope.js';
import { createGrants } from './grants.js';
import { createGroupKeys, VOLUME_META, type GroupKeys } from './group-keys.js';
import { inboxDocId } from './intro.js';
import { loadIntroBook, type IntroBook } from './intro-book.js';
import { deriveOwnSecrets, type OwnSecrets } from './own-secrets.js';
import { createSealOutgoing } from './seal-outgoing.js';
import type { SessionDeps } from './session-deps.js';

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
  /**
   * Seals a local change and queues it; `unknown_epoch` / `not_a_member` mean: wait, try later.
   * A run of consecutive updates of one document is sealed as one range (BATCH-9).
   */
  sealOutgoing(change: DocChange | readonly DocChange[]): Promise<Result<void>>;
  /**
   * SYNC-21: whether a local feed change can never be sealed: its conversation's membership
   * lists me as removed (or left) and not a member again, so no member would accept it (AUTH-1).
   */
  departed(change: DocChange): boolean;
  /**
   * Opens an envelope from the relay (not for the inbox), decoded once by the caller, WITHOUT
   * recording its counter or taking its membership op (M1): nothing changes until `accept`.
   */
  open(envelope: Envelope): Result<UncommittedChange>;
  /**
   * The engine took the change (applied, pending, duplicate) or refused it for good: records
   * its counter (a later copy is a `replay`) and, when `taken`, adds a membership op to the
   * session's view of the engine's fold and re-plans that group's keys. Returns the counter
   * commit's result (`equivocation` if another envelope took the counter meanwhile). `taken`:
   * how many of the envelope's changes the engine took (BATCH-6: a range's changes are accepted
   * or refused one by one; its counters are recorded once, together).
   */
  accept(opened: UncommittedChange, taken: boolean | number): Promise<Result<void>>;
  readonly book: IntroBook;
  readonly groupKeys: GroupKeys;
  /** Re-runs the epoch planner of every group (after membership or time changes). */
  replan(): Promise<void>;
}

export async function createSecureSession(deps: SessionDeps): Promise<SecureSession> {
  const { crypto, identity, storage, keys, memberships } = deps;
  const me = identity.userId;
  const own = deriveOwnSecrets(crypto, identity);
  const inbox = inboxDocId(crypto, me);
  const counters = deps.counters;
  const authorize = createMembershipAuthorizer((c) => memberships.view(c));
  keys.keyring.addEpochKey({ scope: `account:${me}`, epoch: 0, removals: 0, createdAt: 0, createdBy: me, recipients: [me] }, own.accountKey);
  keys.keyring.addEpochKey({ scope: `profile:${me}`, epoch: 0, removals: 0, createdAt: 0, createdBy: me, recipients: [me] }, own.profileKey);
  const book = await loadIntroBook(deps);
  const groupKeys = createGroupKeys(deps, book, await storage.listMeta(VOLUME_META));
  /** The group a feed chunk or shared document belongs to (undefined: neither, or a direct conversation). */
  const groupOf = (doc: string): ConversationId | undefined => {
    const conv = contentConversationOf(doc);
    return conv === undefined || memberships.isDirect(conv) ? undefined : conv;
  };
  const grants = createGrants(deps, own);
  const sealOutgoing = createSealOutgoing(deps, { grants, groupKeys, book, groupOf });

  return {
    own,
    inbox,
    authorize,
    book,
    groupKeys,
    sealOutgoing,
    departed(change) {
      const conv = contentConversationOf(change.doc);
      if (conv === undefined || change.author !== me) return false;
      const state = memberships.view(conv);
      return state !== undefined && !state.members.has(me) && state.former.has(me);
    },
    open: (envelope) => openDecodedUncommitted(crypto, envelope, { keyring: keys.keyring, authorize, counters }),
    async accept(opened, taken) {
      const committed = opened.commit();
      const count = taken === true ? 1 : taken === false ? 0 : taken;
      if (count === 0) return committed;
      const writes: StorageWrite[] = [];
      if (opened.change.kind !== 'member') {
        const group = groupOf(opened.change.doc);
        if (group === undefined) return committed;
        // Only a rotation (rare) has intros to send; otherwise at most the persisted count. The
        // book is flushed only then, so intros queued by a concurrent seal are not pushed here
        // before that seal's own commit (their counters) is durable.
        let rotated = false;
        for (let i = 0; i < count; i++) rotated = groupKeys.noteMessage(group, opened.epoch, writes) || rotated;
        if (rotated) writes.push(...book.flush());
        if (writes.length > 0) await storage.commit(writes);
        if (rotated) book.queueFlushed();
        return committed;
      }
      const conv = parseConversationId(conversationOfDoc(opened.change.doc));
      if (memberships.took(conv, opened.change.payload).changed) groupKeys.plan(conv, writes, false);
      writes.push(...book.flush());
      if (writes.length > 0) await storage.commit(writes);
      book.queueFlushed();
      return committed;
    },
    async replan() {
      const writes: StorageWrite[] = [];
      for (const conv of memberships.groups()) groupKeys.plan(conv, writes, false);
      writes.push(...book.flush());
      if (writes.length > 0) await storage.commit(writes);
      book.queueFlushed();
    },
  };
}
