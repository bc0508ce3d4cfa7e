import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import {
  callHistory,
  conversationPage,
  createProjection,
  groupMembers,
  messageReactions,
  messageReceipts,
  openProjectionDb,
  type ConversationId,
  type Kith,
  type Projection,
} from '@kith/core';

/** A peer's live relational projection (Dexie on its own fake-indexeddb), following its engine. */
export async function attachProjection(kith: Kith, name: string): Promise<Projection> {
  const db = await openProjectionDb({ name: `projection-${name}`, indexedDB: new IDBFactory(), IDBKeyRange });
  return createProjection({ kith, db });
}

/**
 * What the schema.sql queries answer for one conversation, as plain data: the whole conversation
 * page by page (keyset), its members with roles, each message's receipts and reactions, its
 * call history. Fields that differ per device by design (nothing here) would be left out.
 */
export async function projectionView(p: Projection, conv: ConversationId): Promise<unknown> {
  await p.idle();
  const pages = [];
  let before: string | undefined;
  for (;;) {
    const page = await conversationPage(p.db, p.viewer, conv, before === undefined ? { limit: 100 } : { before, limit: 100 });
    pages.push(...page);
    if (page.length < 100) break;
    before = page.at(-1)!.id;
  }
  const messages = [];
  for (const m of pages) messages.push({ ...m, receipts: await messageReceipts(p.db, m.id), reactions: await messageReactions(p.db, m.id) });
  return { members: await groupMembers(p.db, conv), messages, calls: await callHistory(p.db, conv) };
}
