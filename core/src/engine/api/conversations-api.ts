import type { ConversationId, UserId } from '../../ids.js';
import type { Conversation, ConversationState } from '../../model/conversation-state.js';
import type { ApiContext, KnownConversation } from './context.js';
import { KithError } from '../../errors.js';
import { directConversationId, parseUserId } from '../../ids.js';
import { accountDocId } from '../../model/doc-ids.js';
import { CONVS, CONV_STATE, conversationEntryToJson, conversationStateToJson, expectStatePatch, parseConversationEntry } from '../../model/conversation-state.js';
import { conversationState, expectConversation, serial } from './context.js';

export interface ConversationsApi {
  /** The one direct conversation with `peer` (same id on both sides, even when both open it offline). */
  openDirect(peer: UserId): Promise<Conversation>;
  /** My conversations, pinned first, then by id. */
  list(): Conversation[];
  get(conversation: ConversationId): Conversation;
  setState(conversation: ConversationId, patch: Partial<ConversationState>): Promise<Conversation>;
}

export function createConversationsApi(ctx: ApiContext): ConversationsApi {
  const { core, writer } = ctx;
  /** When I opened a direct conversation (my `convs` entry's `at`), if I did. */
  const openedAt = (id: ConversationId): number | null => {
    const raw = core.docs.get(accountDocId(core.me))?.crdt.get(CONVS, id);
    return raw === undefined ? null : (parseConversationEntry(raw)?.at ?? null);
  };
  const describe = (conv: KnownConversation): Conversation => ({
    id: conv.id,
    kind: conv.kind,
    peer: conv.kind === 'direct' ? conv.peer : null,
    name: conv.kind === 'group' ? conv.state.name : '',
    createdAt: conv.kind === 'group' ? conv.state.createdAt : openedAt(conv.id),
    state: conversationState(ctx, conv.id),
  });
  const get = (id: ConversationId): Conversation => describe(expectConversation(ctx, id));
  return {
    openDirect: (peerValue) =>
      serial(ctx, async () => {
        const peer = parseUserId(peerValue);
        if (peer === core.me) throw new KithError('invalid_argument', 'a direct conversation needs someone else');
        const id = directConversationId(core.me, peer);
        const known = core.docs.get(accountDocId(core.me))?.crdt.get(CONVS, id) !== undefined;
        if (!known) await writer.update(accountDocId(core.me), [{ op: 'set', collection: CONVS, key: id, value: conversationEntryToJson({ kind: 'direct', peer, at: core.clock.now() }) }]);
        if (!core.directs.has(id)) core.directs.set(id, peer);
        return get(id);
      }),
    list() {
      const ids = new Set<ConversationId>(core.directs.keys());
      for (const [id, slot] of core.groups) {
        const s = slot.log.state();
        if (s.created && (s.members.has(core.me) || s.former.has(core.me))) ids.add(id);
      }
      return [...ids]
        .map(get)
        .sort((a, b) => Number(b.state.pinned) - Number(a.state.pinned) || (a.id < b.id ? -1 : 1));
    },
    get,
    setState: (conversation, patch) =>
      serial(ctx, async () => {
        const conv = expectConversation(ctx, conversation);
        const next = expectStatePatch(conversationState(ctx, conv.id), patch);
        await writer.update(accountDocId(core.me), [{ op: 'set', collection: CONV_STATE, key: conv.id, value: conversationStateToJson(next) }]);
        return get(conv.id);
      }),
  };
}
