import type { CallId, ConversationId } from '../../ids.js';
import type { Json } from '../../ports/crdt.js';
import type { Call, CallKind, StoredParticipant } from '../../model/call.js';
import type { ApiContext } from './context.js';
import { KithError } from '../../errors.js';
import { parseCallId } from '../../ids.js';
import { othersIn } from '../feed-policy.js';
import { CALL, CALLP, callToJson, participantToJson, parseStoredShare, SHARE, shareToJson } from '../../model/call.js';
import { isBoundedString } from '../../model/text.js';
import { feedDocId } from '../../model/doc-ids.js';
import { feedIndexOf } from '../feed-index.js';
import { expectConversation, expectMembership, serial, vanishedAfterWriting } from './context.js';

export interface CallsApi {
  start(conversation: ConversationId, kind: CallKind): Promise<Call>;
  /** This device rings (an invitee). */
  ring(conversation: ConversationId, call: CallId): Promise<void>;
  answer(conversation: ConversationId, call: CallId): Promise<void>;
  decline(conversation: ConversationId, call: CallId): Promise<void>;
  /** The caller ends the call for everyone; an invitee leaves it. */
  end(conversation: ConversationId, call: CallId, reason?: string): Promise<void>;
  /** Returns the screen-share entry id. */
  startScreenShare(conversation: ConversationId, call: CallId): Promise<string>;
  stopScreenShare(conversation: ConversationId, share: string): Promise<void>;
  list(conversation: ConversationId): Call[];
}

export function createCallsApi(ctx: ApiContext): CallsApi {
  const { core, reader, writer, loader } = ctx;
  const expectCall = (conversation: ConversationId, idValue: unknown) => {
    const conv = expectMembership(ctx, conversation);
    const id = parseCallId(idValue);
    const call = reader.calls(conv.id).find((c) => c.id === id);
    if (call === undefined) throw new KithError('not_found', 'no such call');
    return { conv, call };
  };
  /** The doc of mine holding `collection[key]` (newest first), else my current chunk. */
  const myDocWith = async (conversation: ConversationId, collection: string, key: string) => {
    const chunk = feedIndexOf(core).newestWith(conversation, core.me, collection, key);
    return chunk === undefined ? (await reader.currentChunk(conversation)).id : feedDocId(conversation, core.me, chunk);
  };
  const participate = (state: StoredParticipant['state']) => (conversation: ConversationId, idValue: CallId) =>
    serial(ctx, async () => {
      const { conv, call } = expectCall(conversation, idValue);
      if (call.caller === core.me) throw new KithError('conflict', 'the caller does not ring, answer or decline');
      if (call.endedAt !== null) throw new KithError('conflict', 'the call has ended');
      const now = core.clock.now();
      const prev = call.participants.find((p) => p.user === core.me);
      const joinedAt = state === 'joined' ? (prev?.joinedAt ?? now) : (prev?.joinedAt ?? null);
      await writer.update(await myDocWith(conv.id, CALLP, call.id), [
        { op: 'set', collection: CALLP, key: call.id, value: participantToJson({ state, at: now, joinedAt }) },
      ]);
    });
  return {
    start: (conversation, kind) =>
      serial(ctx, async () => {
        if (kind !== 'voice' && kind !== 'video') throw new KithError('invalid_argument', 'kind is voice or video');
        const conv = expectMembership(ctx, conversation);
        const id = core.hlc.next();
        const chunk = await reader.currentChunk(conv.id);
        const value = callToJson({ kind, startedAt: core.clock.now(), endedAt: null, endReason: null, invitees: othersIn(core, conv.id) });
        await writer.update(chunk.id, [{ op: 'set', collection: CALL, key: id, value }]);
        const call = reader.calls(conv.id).find((c) => c.id === id);
        if (call === undefined) return vanishedAfterWriting(ctx, conv.id, 'call');
        return call;
      }),
    ring: participate('ringing'),
    answer: participate('joined'),
    decline: participate('declined'),
    end: (conversation, idValue, reason) =>
      serial(ctx, async () => {
        if (reason !== undefined && !isBoundedString(reason, 64)) throw new KithError('invalid_argument', 'reason ≤ 64 characters');
        const { conv, call } = expectCall(conversation, idValue);
        if (call.endedAt !== null) throw new KithError('conflict', 'the call has ended');
        const now = core.clock.now();
        if (call.caller === core.me) {
          const value = callToJson({ kind: call.kind, startedAt: call.startedAt, endedAt: now, endReason: reason ?? 'hangup', invitees: call.invitees });
          await writer.update(await myDocWith(conv.id, CALL, call.id), [{ op: 'set', collection: CALL, key: call.id, value }]);
          return;
        }
        const prev = call.participants.find((p) => p.user === core.me);
        await writer.update(await myDocWith(conv.id, CALLP, call.id), [
          { op: 'set', collection: CALLP, key: call.id, value: participantToJson({ state: 'left', at: now, joinedAt: prev?.joinedAt ?? null }) },
        ]);
      }),
    startScreenShare: (conversation, idValue) =>
      serial(ctx, async () => {
        const { conv, call } = expectCall(conversation, idValue);
        if (call.endedAt !== null) throw new KithError('conflict', 'the call has ended');
        const id = core.hlc.next();
        const chunk = await reader.currentChunk(conv.id);
        await writer.update(chunk.id, [{ op: 'set', collection: SHARE, key: id, value: shareToJson({ call: call.id, startedAt: core.clock.now(), endedAt: null }) }]);
        return id;
      }),
    stopScreenShare: (conversation, shareId) =>
      serial(ctx, async () => {
        const conv = expectMembership(ctx, conversation);
        const docId = await myDocWith(conv.id, SHARE, shareId);
        const raw: Json | undefined = (await loader.ensure(docId))?.crdt.get(SHARE, shareId);
        const share = raw === undefined ? null : parseStoredShare(shareId, raw);
        if (share === null) throw new KithError('not_found', 'no such screen share of mine');
        if (share.endedAt !== null) return;
        await writer.update(docId, [{ op: 'set', collection: SHARE, key: shareId, value: shareToJson({ ...share, endedAt: core.clock.now() }) }]);
      }),
    list(conversation) {
      return reader.calls(expectConversation(ctx, conversation).id);
    },
  };
}
