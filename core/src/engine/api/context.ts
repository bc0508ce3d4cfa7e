import type { ConversationId, UserId } from '../../ids.js';
import type { Core } from '../core.js';
import type { FeedReader } from '../feed-reader.js';
import type { Inbound } from '../inbound.js';
import type { Loader } from '../loader.js';
import type { Writer } from '../writer.js';
import type { ConversationState } from '../../model/conversation-state.js';
import type { MembershipState } from '../../model/membership/membership-log.js';
import { KithError } from '../../errors.js';
import { parseConversationId } from '../../ids.js';
import { accountDocId } from '../../model/doc-ids.js';
import { CONV_STATE, DEFAULT_STATE, parseConversationState } from '../../model/conversation-state.js';

/** What every API namespace works with. Internal. */
export interface ApiContext {
  readonly core: Core;
  readonly writer: Writer;
  readonly reader: FeedReader;
  readonly loader: Loader;
  readonly inbound: Inbound;
}

export type KnownConversation =
  | { readonly kind: 'direct'; readonly id: ConversationId; readonly peer: UserId }
  | { readonly kind: 'group'; readonly id: ConversationId; readonly state: MembershipState };

/** Parses an app-supplied conversation id and finds it, or throws `unknown_conversation`. */
export function expectConversation(ctx: ApiContext, value: unknown): KnownConversation {
  const id = parseConversationId(value);
  const peer = ctx.core.directs.get(id);
  if (peer !== undefined) return { kind: 'direct', id, peer };
  const state = ctx.core.groups.get(id)?.log.state();
  if (state?.created === true && (state.members.has(ctx.core.me) || state.former.has(ctx.core.me))) {
    return { kind: 'group', id, state };
  }
  throw new KithError('unknown_conversation', 'no such conversation');
}

/** Like expectConversation, and I must currently be a member (to write into it). */
export function expectMembership(ctx: ApiContext, value: unknown): KnownConversation {
  const conv = expectConversation(ctx, value);
  if (conv.kind === 'group' && !conv.state.members.has(ctx.core.me)) {
    throw new KithError('not_a_member', 'you are not a member of this group');
  }
  return conv;
}

/**
 * What was just written is not shown: I was removed from the conversation while it was being
 * written (the removal cuts my later changes; SYNC-21 takes it out of the outbox), so this
 * throws `not_a_member`; if I am still a member, something is wrong with storage.
 */
export function vanishedAfterWriting(ctx: ApiContext, conversation: ConversationId, what: string): never {
  expectMembership(ctx, conversation);
  throw new KithError('storage_failed', `${what} vanished after writing`);
}

export function conversationState(ctx: ApiContext, id: ConversationId): ConversationState {
  const raw = ctx.core.docs.get(accountDocId(ctx.core.me))?.crdt.get(CONV_STATE, id);
  if (raw === undefined) return DEFAULT_STATE;
  const parsed = parseConversationState(raw);
  if (parsed === null) ctx.core.stats.invalidEntries++;
  return parsed ?? DEFAULT_STATE;
}

/** Runs a local operation in the engine's serial queue. */
export function serial<T>(ctx: ApiContext, task: () => Promise<T> | T): Promise<T> {
  return ctx.core.queue.run(task);
}
