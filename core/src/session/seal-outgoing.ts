import { fail, ok, type Result } from '../errors.js';
import { directConversationId, parseConversationId, type ConversationId } from '../ids.js';
import { conversationOfDoc, parseDocRef } from '../model/doc-ids.js';
import type { StorageWrite } from '../ports/storage.js';
import { changeKey, type DocChange } from '../protocol/doc-change.js';
import { sealChange, sealChanges, sealChangesWithKeyring } from '../crypto/envelope-seal.js';
import { checkSendable } from '../crypto/epoch-planner.js';
import { keyScopeOf } from '../crypto/keyring.js';
import type { SecretKey } from '../crypto/secret-key.js';
import { capabilityScopeOf } from '../protocol/relay-signing.js';
import type { Grants } from './grants.js';
import type { GroupKeys } from './group-keys.js';
import type { IntroBook } from './intro-book.js';
import type { SessionDeps } from './session-deps.js';

const isRun = (c: DocChange | readonly DocChange[]): c is readonly DocChange[] => Array.isArray(c);

/** The epoch a change must be sealed under when it is not the current one (KEY-9). */
type SealUnder = { readonly epoch: number; readonly key: SecretKey } | undefined;

export interface SealParts {
  readonly grants: Grants;
  readonly groupKeys: GroupKeys;
  readonly book: IntroBook;
  /** The group a feed document belongs to (undefined: not a feed, or a direct conversation). */
  readonly groupOf: (doc: string) => ConversationId | undefined;
}

/**
 * Seals a local change and queues it (SYNC-1), in named steps: plan the keys the change needs,
 * check it may be sent, seal it, grant its audience what they need to read it, then commit the
 * envelope, the key state and the intros in ONE storage commit before queueing them.
 * `unknown_conversation` / `unknown_epoch` / `not_a_member` mean: wait, try later.
 * BATCH-9: given a run of consecutive `update` changes of one document, it does each step once
 * for the document and seals them as ONE range envelope (one AEAD, one signature, one push).
 */
export function createSealOutgoing(
  deps: Pick<SessionDeps, 'crypto' | 'identity' | 'engine' | 'storage' | 'keys' | 'memberships' | 'queue'>,
  parts: SealParts,
): (change: DocChange | readonly DocChange[]) => Promise<Result<void>> {
  const { crypto, identity, engine, storage, keys, memberships } = deps;
  const { grants, groupKeys, book, groupOf } = parts;
  const me = identity.userId;

  /**
   * KEY-9: an op that removes members is sealed under the epoch BEFORE it, which the removed
   * members hold: they learn of their removal (and stop sending) instead of parking an op
   * sealed under a key they are rightly never given. Later ops use the new epoch.
   */
  const takeOwnMemberOp = (change: DocChange, convText: string, writes: StorageWrite[]): SealUnder => {
    const conv = parseConversationId(convText);
    const prior = keys.keyring.current(keyScopeOf(change.doc));
    const before = memberships.state(conv)?.removals ?? 0;
    memberships.sealing(conv, change.payload);
    const raised = (memberships.state(conv)?.removals ?? 0) > before;
    if (memberships.state(conv)?.creator === me && memberships.state(conv)?.members.get(me) !== undefined) grants.ensureToken(`conv:${conv}`, writes);
    groupKeys.plan(conv, writes, raised);
    return raised && prior !== undefined ? { epoch: prior.info.epoch, key: prior.key } : undefined;
  };

  /** Step 1: the keys this change needs (group epochs, pair keys of direct chats and contacts). */
  const planKeys = (change: DocChange, writes: StorageWrite[]): SealUnder => {
    const conv = conversationOfDoc(change.doc);
    const sealUnder = change.kind === 'member' && conv !== undefined ? takeOwnMemberOp(change, conv, writes) : undefined;
    grants.detectDirect(change.doc, writes);
    const ref = parseDocRef(change.doc);
    if (ref?.kind === 'contact') grants.pairKey(ref.from === me ? ref.to : ref.from, writes);
    return sealUnder;
  };

  /** Step 2: whether it may be sent now (AUTH-1 gate of a group, a key for its scope). */
  const checkSendableNow = (change: DocChange): Result<void> => {
    const scope = keyScopeOf(change.doc);
    const group = groupOf(change.doc);
    if (group !== undefined) {
      const state = memberships.view(group);
      if (state === undefined) return fail('unknown_conversation', 'membership not known yet');
      const gate = checkSendable(state, me, keys.keyring.current(scope)?.info);
      if (!gate.ok) return gate;
    }
    if (keys.keyring.current(scope) === undefined) return fail('unknown_epoch', 'no key for this document yet');
    return ok(undefined);
  };

  /**
   * Step 3: the envelope, and the group's message count under the epoch it was sealed in (KEY-6),
   * one per change of a range (a rotation it triggers applies to the next envelope).
   */
  const seal = (run: readonly DocChange[], sealUnder: SealUnder, writes: StorageWrite[]): Uint8Array => {
    const change = run[0]!;
    const sealedEpoch = sealUnder?.epoch ?? keys.keyring.current(keyScopeOf(change.doc))?.info.epoch;
    const bytes =
      sealUnder !== undefined
        ? run.length === 1
          ? sealChange(crypto, change, sealUnder.epoch, sealUnder.key, identity)
          : sealChanges(crypto, run, sealUnder.epoch, sealUnder.key, identity)
        : sealChangesWithKeyring(crypto, run, keys.keyring, identity);
    const group = groupOf(change.doc);
    if (group !== undefined && sealedEpoch !== undefined) for (let i = 0; i < run.length; i++) groupKeys.noteMessage(group, sealedEpoch, writes);
    return bytes;
  };

  /**
   * Step 4: every reader of the document (and my other devices) gets its scope's grant, and my
   * profile when the document is one between the two of us (direct conversation, contact
   * request). DIR-3: a group's members read my name from my card in its log instead, so a member
   * removed later holds no key to my future profile.
   */
  const grantAudience = (change: DocChange, writes: StorageWrite[]): void => {
    const capScope = capabilityScopeOf(change.doc);
    const conv = conversationOfDoc(change.doc);
    for (const user of new Set([...engine.audience(change.doc), me])) {
      for (const grant of grants.grantsFor(capScope, user, writes)) book.grant(user, grant);
      if (user !== me && (conv === undefined || directConversationId(me, user) === conv)) {
        const profile = grants.grantFor(`profile:${me}`, user, writes);
        if (profile !== undefined) book.grant(user, profile);
      }
    }
  };

  return async (input) => {
    const run: readonly DocChange[] = isRun(input) ? input : [input];
    const change = run[0];
    if (change === undefined) return ok(undefined);
    if (run.length > 1 && run.some((c) => c.kind !== 'update')) return fail('invalid_argument', 'only update changes are sealed as a range');
    const writes: StorageWrite[] = [];
    const sealUnder = planKeys(change, writes);
    const sendable = checkSendableNow(change);
    if (!sendable.ok) {
      // The keys planned stay (a later seal needs them), except when the membership is unknown.
      if (sendable.error.code !== 'unknown_conversation' && writes.length > 0) await storage.commit(writes);
      return sendable;
    }
    const bytes = seal(run, sealUnder, writes);
    const key = changeKey(change);
    writes.push({ type: 'putMeta', key: `sync/push/${key}`, value: bytes });
    grantAudience(change, writes);
    // Step 5: envelope, key state and intros in one commit; only then queued.
    writes.push(...book.flush());
    await storage.commit(writes);
    deps.queue(run.length === 1 ? { key, doc: change.doc, bytes, change } : { key, doc: change.doc, bytes, change, keys: run.map(changeKey), changes: run });
    book.queueFlushed();
    return ok(undefined);
  };
}
