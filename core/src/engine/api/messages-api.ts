import type { ConversationId, MessageId } from '../../ids.js';
import type { CrdtMutation } from '../../ports/crdt.js';
import type { Attachment } from '../../model/attachment.js';
import type { Message } from '../../model/message.js';
import type { Reaction } from '../feed-reader.js';
import type { ApiContext } from './context.js';
import { KithError } from '../../errors.js';
import { parseMessageId } from '../../ids.js';
import { expectAttachments } from '../../model/attachment.js';
import { DEL, MSG, storedMessageToJson } from '../../model/message.js';
import { expectEmoji, REACT, reactionToJson } from '../../model/reaction.js';
import { RCPT, watermarkToJson } from '../../model/receipt.js';
import { expectMessageText } from '../../model/text.js';
import { HIDDEN, hiddenMessageToJson, parseHiddenMessage } from '../../model/hidden-message.js';
import { accountDocId } from '../../model/doc-ids.js';
import { maybeSnapshot } from '../snapshots.js';
import { conversationState, expectConversation, expectMembership, serial, vanishedAfterWriting } from './context.js';

export interface SendOptions {
  readonly text: string;
  readonly replyTo?: MessageId;
  readonly forwarded?: boolean;
  readonly attachments?: readonly Attachment[];
}
export interface PageOptions {
  /** Only messages with ids below this one (the oldest id of the previous page). */
  readonly before?: MessageId;
  /** 1–500, default 50. */
  readonly limit?: number;
}

export interface MessagesApi {
  send(conversation: ConversationId, message: string | SendOptions): Promise<Message>;
  edit(conversation: ConversationId, id: MessageId, text: string): Promise<Message>;
  /** Delete for everyone: a tombstone that clears the text. */
  delete(conversation: ConversationId, id: MessageId): Promise<void>;
  /** Delete for me: hides the message on my devices only (my `account:` document); the others keep it. */
  hide(conversation: ConversationId, id: MessageId): Promise<void>;
  /** One reaction per member per message; `null` removes mine. */
  react(conversation: ConversationId, id: MessageId, emoji: string | null): Promise<void>;
  /** Newest messages below `before`, oldest first. */
  page(conversation: ConversationId, options?: PageOptions): Promise<Message[]>;
  get(conversation: ConversationId, id: MessageId): Promise<Message | null>;
  reactions(conversation: ConversationId, id: MessageId): Reaction[];
}

export function createMessagesApi(ctx: ApiContext): MessagesApi {
  const { core, reader, writer } = ctx;

  const expectOwn = async (conversation: ConversationId, idValue: unknown) => {
    const conv = expectMembership(ctx, conversation);
    const id = parseMessageId(idValue);
    const hit = await reader.find(conv.id, id);
    if (hit === null) throw new KithError('unknown_message', 'no such message');
    if (hit.message.author !== core.me) throw new KithError('not_the_author', 'only the author may change a message');
    return { conv, hit };
  };

  const isHidden = (conversation: ConversationId, id: MessageId): boolean => {
    const raw = core.docs.get(accountDocId(core.me))?.crdt.get(HIDDEN, id);
    return raw !== undefined && parseHiddenMessage(id, raw)?.conversation === conversation;
  };

  return {
    send: (conversation, input) =>
      serial(ctx, async () => {
        const opts: SendOptions = typeof input === 'string' ? { text: input } : input;
        const attachments = expectAttachments(opts.attachments);
        const text = expectMessageText(opts.text, attachments.length > 0);
        if (opts.forwarded !== undefined && typeof opts.forwarded !== 'boolean') throw new KithError('invalid_argument', 'forwarded must be a boolean');
        const conv = expectMembership(ctx, conversation);
        const replyTo = opts.replyTo === undefined ? null : parseMessageId(opts.replyTo);
        if (replyTo !== null && (await reader.find(conv.id, replyTo)) === null) throw new KithError('unknown_message', 'reply target not found');
        const chunk = await reader.currentChunk(conv.id);
        const id = core.hlc.next();
        const mutations: CrdtMutation[] = [
          { op: 'set', collection: MSG, key: id, value: storedMessageToJson({ text, replyTo, forwarded: opts.forwarded ?? false, attachments, editedAt: null }) },
        ];
        if (chunk.fresh) {
          // Carry my receipt watermark into the new chunk so readers of the newest chunk see it.
          const w = reader.watermark(conv.id, core.me);
          if (w.delivered !== null) mutations.push({ op: 'set', collection: RCPT, key: core.device, value: watermarkToJson(w) });
        }
        await writer.update(chunk.id, mutations);
        const doc = core.docs.get(chunk.id);
        if (doc !== undefined && doc.msgCount !== null && ++doc.msgCount === core.chunkMessages) maybeSnapshot(core, doc, true);
        const message = doc === undefined ? null : reader.message(doc, id);
        if (message === null) return vanishedAfterWriting(ctx, conv.id, 'message');
        return message;
      }),

    edit: (conversation, idValue, textValue) =>
      serial(ctx, async () => {
        if (typeof textValue !== 'string') throw new KithError('invalid_argument', 'text must be a string');
        const { hit } = await expectOwn(conversation, idValue);
        if (hit.message.deleted) throw new KithError('message_deleted', 'cannot edit a deleted message');
        const m = hit.message;
        const text = expectMessageText(textValue, m.attachments.length > 0); // a file's caption may be cleared
        const value = storedMessageToJson({ text, replyTo: m.replyTo, forwarded: m.forwarded, attachments: m.attachments, editedAt: core.hlc.next() });
        await writer.update(hit.doc.id, [{ op: 'set', collection: MSG, key: m.id, value }]);
        return reader.message(hit.doc, m.id) ?? m;
      }),

    delete: (conversation, idValue) =>
      serial(ctx, async () => {
        const { hit } = await expectOwn(conversation, idValue);
        if (hit.message.deleted) return;
        const m = hit.message;
        const at = core.hlc.next();
        await writer.update(hit.doc.id, [
          { op: 'set', collection: MSG, key: m.id, value: storedMessageToJson({ text: '', replyTo: m.replyTo, forwarded: m.forwarded, attachments: [], editedAt: at }) },
          { op: 'set', collection: DEL, key: m.id, value: { at } },
        ]);
      }),

    hide: (conversation, idValue) =>
      serial(ctx, async () => {
        const conv = expectConversation(ctx, conversation);
        const id = parseMessageId(idValue);
        if ((await reader.find(conv.id, id)) === null) throw new KithError('unknown_message', 'no such message');
        if (isHidden(conv.id, id)) return;
        await writer.update(accountDocId(core.me), [{ op: 'set', collection: HIDDEN, key: id, value: hiddenMessageToJson({ conversation: conv.id, at: core.clock.now() }) }]);
      }),

    react: (conversation, idValue, emojiValue) =>
      serial(ctx, async () => {
        const emoji = emojiValue === null ? null : expectEmoji(emojiValue);
        const conv = expectMembership(ctx, conversation);
        const id = parseMessageId(idValue);
        const hit = await reader.find(conv.id, id);
        if (hit === null) throw new KithError('unknown_message', 'no such message');
        if (hit.message.deleted) throw new KithError('message_deleted', 'cannot react to a deleted message');
        if ((reader.ownReaction(conv.id, id)?.emoji ?? null) === emoji) return;
        const chunk = await reader.currentChunk(conv.id);
        await writer.update(chunk.id, [{ op: 'set', collection: REACT, key: id, value: reactionToJson({ emoji, at: core.hlc.next() }) }]);
      }),

    page: (conversation, options = {}) =>
      serial(ctx, async () => {
        const conv = expectConversation(ctx, conversation);
        const limit = options.limit ?? 50;
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new KithError('invalid_argument', 'limit must be 1–500');
        const cleared = conversationState(ctx, conv.id).clearedUpTo;
        // Messages I hid are left out; the page is refilled from older ones so it stays full.
        const out: Message[] = [];
        let before = options.before === undefined ? null : parseMessageId(options.before);
        for (;;) {
          const want = limit - out.length;
          const raw = await reader.page(conv.id, before, cleared, want);
          out.unshift(...raw.filter((m) => !isHidden(conv.id, m.id)));
          const oldest = raw[0];
          if (raw.length < want || oldest === undefined || out.length >= limit) return out;
          before = oldest.id;
        }
      }),

    get: (conversation, idValue) =>
      serial(ctx, async () => {
        const conv = expectConversation(ctx, conversation);
        return (await reader.find(conv.id, parseMessageId(idValue)))?.message ?? null;
      }),

    reactions(conversation, idValue) {
      const conv = expectConversation(ctx, conversation);
      return reader.reactions(conv.id, parseMessageId(idValue));
    },
  };
}
