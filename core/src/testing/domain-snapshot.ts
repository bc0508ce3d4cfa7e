import type { ConversationId, MessageId } from '../ids.js';
import type { Kith } from '../kith.js';
import { isKithError } from '../errors.js';

/**
 * A plain-data picture of what a peer shows for some conversations — messages in order (with
 * edits, tombstones, reactions), members and roles, receipt watermarks, calls — for
 * convergence oracles and "nothing changed" assertions. Deterministic (sorted) and JSON-safe.
 */
export interface ConversationSnapshot {
  readonly id: string;
  readonly name: string;
  readonly members: ReadonlyArray<{ user: string; role: string }>;
  readonly messages: ReadonlyArray<{
    id: string;
    author: string;
    text: string;
    deleted: boolean;
    editedAt: string | null;
    replyTo: string | null;
    reactions: ReadonlyArray<{ user: string; emoji: string }>;
  }>;
  readonly receipts: ReadonlyArray<{ user: string; delivered: string | null; read: string | null }>;
  readonly calls: ReadonlyArray<{ id: string; status: string; participants: number; shares: number }>;
}

export async function snapshotConversation(kith: Kith, conversation: ConversationId): Promise<ConversationSnapshot> {
  const conv = kith.conversations.get(conversation);
  const members =
    conv.kind === 'group'
      ? kith.groups.members(conversation).map((m) => ({ user: m.user, role: m.role }))
      : [kith.user, conv.peer ?? ''].sort().map((user) => ({ user, role: 'member' }));
  const messages: Array<ConversationSnapshot['messages'][number]> = [];
  let before: MessageId | undefined;
  for (;;) {
    const page = await kith.messages.page(conversation, before === undefined ? { limit: 200 } : { before, limit: 200 });
    for (const m of [...page].reverse()) {
      messages.push({
        id: m.id,
        author: m.author,
        text: m.text,
        deleted: m.deleted,
        editedAt: m.editedAt,
        replyTo: m.replyTo,
        reactions: kith.messages.reactions(conversation, m.id),
      });
    }
    if (page.length < 200) break;
    before = page[0]!.id;
  }
  messages.reverse();
  const receipts = members.map(({ user }) => ({ user, ...kith.receipts.forMember(conversation, user as never) }));
  const calls = kith.calls.list(conversation).map((c) => ({ id: c.id, status: c.status, participants: c.participants.length, shares: c.screenShares.length }));
  return { id: conversation, name: conv.name, members, messages, receipts, calls };
}

/** Snapshot of every conversation the peer lists, plus contacts and profile. */
export async function snapshotKith(kith: Kith): Promise<unknown> {
  const conversations = [];
  for (const c of kith.conversations.list()) {
    conversations.push({ state: c.state, ...(await snapshotConversation(kith, c.id)) });
  }
  return { profile: kith.profile.get(), contacts: kith.contacts.list(), conversations };
}

/** Runs `fn`, expecting a KithError with `code`; returns it (fails the test otherwise). */
export async function expectKithError(code: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (isKithError(error) && error.code === code) return;
    throw new Error(`expected KithError ${code}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected KithError ${code}, but the call succeeded`);
}
