import type { ConversationId, Kith, Message, UserId } from '@kith/core';
import type { ChatMessage, Tick } from './client.js';

export interface MessageViewContext {
  readonly kith: Kith;
  readonly nameOf: (user: UserId) => string;
  /** Whether the tick is the clock (queued while offline) or a plain sent tick (not connected). */
  readonly localTick: (message: Message) => Tick | null;
}

const RANK: Record<string, number> = { sent: 0, delivered: 1, read: 2 };

/** A message as the conversation view shows it: reactions grouped, ticks, the quoted reply. */
export async function toChatMessage(ctx: MessageViewContext, conv: ConversationId, m: Message, byId: ReadonlyMap<string, Message>): Promise<ChatMessage> {
  const { kith, nameOf } = ctx;
  const me = kith.user;
  const reactions = new Map<string, { count: number; mine: boolean }>();
  for (const r of kith.messages.reactions(conv, m.id)) {
    if (r.emoji === null) continue;
    const x = reactions.get(r.emoji) ?? { count: 0, mine: false };
    reactions.set(r.emoji, { count: x.count + 1, mine: x.mine || r.user === me });
  }
  let tick: Tick | null = null;
  let receipts: Array<{ name: string; status: Tick }> = [];
  if (m.author === me) {
    tick = ctx.localTick(m);
    if (tick === null) {
      const rs = await kith.receipts.forMessage(conv, m.id);
      receipts = rs.map((r) => ({ name: nameOf(r.user), status: r.status }));
      const min = rs.reduce((lo, r) => Math.min(lo, RANK[r.status] ?? 0), 2);
      tick = rs.length === 0 ? 'sent' : (['sent', 'delivered', 'read'] as const)[min] ?? 'sent';
    }
  }
  let replyTo: ChatMessage['replyTo'] = null;
  if (m.replyTo !== null) {
    const q = byId.get(m.replyTo) ?? (await kith.messages.get(conv, m.replyTo));
    replyTo = q === null ? { id: m.replyTo, authorName: '', text: 'Original message unavailable' } : { id: m.replyTo, authorName: nameOf(q.author), text: q.text };
  }
  return {
    id: m.id,
    author: m.author,
    authorName: nameOf(m.author),
    mine: m.author === me,
    sentAt: m.sentAt,
    text: m.text,
    replyTo,
    edited: m.editedAt !== null,
    deleted: m.deleted,
    reactions: [...reactions].map(([emoji, x]) => ({ emoji, ...x })),
    attachments: m.attachments.map((a) => ({ id: a.id, name: a.name, size: a.size, mime: a.mime, image: a.mime.startsWith('image/') })),
    tick,
    receipts,
  };
}
