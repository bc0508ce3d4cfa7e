import type { ConversationId, MessageId, UserId } from '../../ids.js';
import type { ReceiptStatus, Watermark } from '../../model/receipt.js';
import type { DeviceWatermark } from '../feed-reader.js';
import type { ApiContext } from './context.js';
import { KithError } from '../../errors.js';
import { parseMessageId, parseUserId } from '../../ids.js';
import { mergeWatermarks, RCPT, statusFor, watermarkToJson } from '../../model/receipt.js';
import { conversationMembers } from '../feed-policy.js';
import { expectConversation, expectMembership, serial } from './context.js';

export interface ReceiptsApi {
  /** Everything up to `id` reached this device. Refused (`receipt_backwards`) below my watermark. */
  markDelivered(conversation: ConversationId, id: MessageId): Promise<void>;
  /** Everything up to `id` was read (implies delivered). */
  markRead(conversation: ConversationId, id: MessageId): Promise<void>;
  /** Each other member's status for one message. */
  forMessage(conversation: ConversationId, id: MessageId): Promise<Array<{ user: UserId; status: ReceiptStatus }>>;
  /** A member's watermark (max over their devices). */
  forMember(conversation: ConversationId, user: UserId): Watermark;
  /** A member's watermark per device (sorted by device id; a device that starts a new chunk
   *  carries the member's watermark into it, so a device's value can include its other devices'). */
  forDevices(conversation: ConversationId, user: UserId): DeviceWatermark[];
}

export function createReceiptsApi(ctx: ApiContext): ReceiptsApi {
  const { core, reader, writer } = ctx;
  const mark = (kind: 'delivered' | 'read', conversation: ConversationId, idValue: MessageId) =>
    serial(ctx, async () => {
      const conv = expectMembership(ctx, conversation);
      const id = parseMessageId(idValue);
      const current = reader.watermark(conv.id, core.me);
      const mine = current[kind];
      if (mine !== null && id < mine) throw new KithError('receipt_backwards', `${kind} watermark cannot move backwards`);
      if (mine === id) return;
      if ((await reader.find(conv.id, id)) === null) throw new KithError('unknown_message', 'no such message');
      const next = mergeWatermarks(current, kind === 'read' ? { delivered: id, read: id } : { delivered: id, read: null });
      const chunk = await reader.currentChunk(conv.id);
      await writer.update(chunk.id, [{ op: 'set', collection: RCPT, key: core.device, value: watermarkToJson(next) }]);
    });
  return {
    markDelivered: (conversation, id) => mark('delivered', conversation, id),
    markRead: (conversation, id) => mark('read', conversation, id),
    forMessage: (conversation, idValue) =>
      serial(ctx, async () => {
        const conv = expectConversation(ctx, conversation);
        const hit = await reader.find(conv.id, parseMessageId(idValue));
        if (hit === null) throw new KithError('unknown_message', 'no such message');
        return conversationMembers(core, conv.id)
          .filter((u) => u !== hit.message.author)
          .map((user) => ({ user, status: statusFor(hit.message.id, reader.watermark(conv.id, user)) }));
      }),
    forMember(conversation, user) {
      const conv = expectConversation(ctx, conversation);
      return reader.watermark(conv.id, parseUserId(user));
    },
    forDevices(conversation, user) {
      const conv = expectConversation(ctx, conversation);
      return reader.deviceWatermarks(conv.id, parseUserId(user));
    },
  };
}
