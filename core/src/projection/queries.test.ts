import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { isKithError } from '../errors.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { createProjection } from './create-projection.js';
import { openProjectionDb, PROJECTION_SCHEMA_VERSIONS } from './projection-schema.js';
import { chatList } from './queries/chat-list.js';
import { conversationPage } from './queries/conversation-page.js';
import { groupMembers } from './queries/group-members.js';

async function setup(names = ['alice', 'bob', 'carol']) {
  const h = await createPeerHarness({ backend: createYjsBackend(), seed: 'projection-queries', peers: names, chunkMessages: 40 });
  const idb = new IDBFactory();
  const db = await openProjectionDb({ name: 'alice', indexedDB: idb, IDBKeyRange });
  const p = await createProjection({ kith: h.peer('alice'), db });
  const settle = async (): Promise<void> => {
    h.clock.advance(3);
    await h.flush();
    for (const n of names) await h.peer(n).idle();
    await p.idle();
  };
  return { h, idb, db, p, settle };
}

describe('projection queries', () => {
  it('pages a conversation by keyset: newest first, no overlap, cleared messages hidden', async () => {
    const { h, db, p, settle } = await setup(['alice', 'bob']);
    const conv = (await h.peer('alice').conversations.openDirect(h.user('bob'))).id;
    await h.peer('bob').conversations.openDirect(h.user('alice'));
    const sent: string[] = [];
    for (let i = 0; i < 120; i++) {
      h.clock.advance(1);
      sent.push((await h.peer(i % 3 === 0 ? 'bob' : 'alice').messages.send(conv, `m${i}`)).id);
      if (i % 10 === 0) await settle();
    }
    await settle();
    const seen: string[] = [];
    let before: string | undefined;
    const sizes: number[] = [];
    for (;;) {
      const page = await conversationPage(db, p.viewer, conv, before === undefined ? { limit: 50 } : { before, limit: 50 });
      if (page.length === 0) break;
      sizes.push(page.length);
      seen.push(...page.map((m) => m.id));
      before = page.at(-1)!.id;
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect(seen).toEqual([...sent].reverse());
    await h.peer('alice').conversations.setState(conv, { clearedUpTo: sent[99]! });
    await settle();
    const after = await conversationPage(db, p.viewer, conv, { limit: 50 });
    expect(after.map((m) => m.id)).toEqual(sent.slice(100).reverse());
    expect(await db.messages.count()).toBe(20); // the cleared range is dropped, as the engine hides it
    await expect(conversationPage(db, p.viewer, conv, { limit: 0 })).rejects.toSatisfy(isKithError);
    console.log(`keyset pages ${sizes.join('+')} over ${sent.length} messages; ${after.length} left after clearing`);
    await h.close();
  });

  it('chat list: pinned first, unread follows the read watermark, archived only when asked, left groups hidden', async () => {
    const { h, db, p, settle } = await setup();
    const [alice, bob, carol] = [h.peer('alice'), h.peer('bob'), h.peer('carol')];
    const direct = (await alice.conversations.openDirect(h.user('bob'))).id;
    await bob.conversations.openDirect(h.user('alice'));
    const group = (await carol.groups.create({ name: 'Club', members: [h.user('alice'), h.user('bob')] })).id;
    await settle();
    const b1 = await bob.messages.send(direct, 'one');
    await settle();
    await bob.messages.send(direct, 'two');
    await settle();
    await carol.messages.send(group, 'hello club');
    await settle();
    let list = await chatList(db, p.viewer);
    expect(list.map((r) => [r.title, r.unread, r.lastBody])).toEqual([
      ['Club', 1, 'hello club'],
      ['bob', 2, 'two'],
    ]);
    await alice.receipts.markRead(direct, b1.id);
    await alice.conversations.setState(direct, { pinned: true });
    await settle();
    list = await chatList(db, p.viewer);
    expect(list.map((r) => [r.title, r.unread, r.pinned])).toEqual([
      ['bob', 1, true],
      ['Club', 1, false],
    ]);
    await alice.conversations.setState(group, { archived: true });
    await settle();
    expect((await chatList(db, p.viewer)).map((r) => r.title)).toEqual(['bob']);
    expect((await chatList(db, p.viewer, { includeArchived: true })).map((r) => r.title)).toEqual(['bob', 'Club']);
    await alice.groups.leave(group);
    await settle();
    expect((await chatList(db, p.viewer, { includeArchived: true })).map((r) => r.title)).toEqual(['bob']);
    expect((await groupMembers(db, group)).map((m) => [m.username, m.role])).toEqual([
      ['carol', 'admin'],
      ['bob', 'member'],
    ]);
    expect(p.stats().errors).toBe(0);
    await h.close();
  });

  it('updates only the affected rows: one new message in a 200-message conversation', async () => {
    const { h, p, settle } = await setup(['alice', 'bob']);
    const conv = (await h.peer('alice').conversations.openDirect(h.user('bob'))).id;
    await h.peer('bob').conversations.openDirect(h.user('alice'));
    for (let i = 0; i < 200; i++) await h.peer('alice').messages.send(conv, `m${i}`);
    await settle();
    const before = p.stats();
    await h.peer('bob').messages.send(conv, 'one more');
    await settle();
    const after = p.stats();
    const rows = after.rowsWritten - before.rowsWritten;
    console.log(`one remote message: ${after.flushes - before.flushes} flush(es), ${rows} rows written (conversation of 201)`);
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(15);
    expect(after.rebuilds).toBe(before.rebuilds);
    await h.close();
  });

  it('a membership change in a 200-message group writes the group\'s rows, not its messages', async () => {
    const { h, db, p, settle } = await setup(['alice', 'bob', 'carol']);
    const group = (await h.peer('alice').groups.create({ name: 'g', members: [h.user('bob')] })).id;
    await settle();
    for (let i = 0; i < 200; i++) await h.peer(i % 4 === 0 ? 'bob' : 'alice').messages.send(group, `m${i}`);
    await settle();
    const rowsFor = async (change: () => Promise<unknown>): Promise<number> => {
      const before = p.stats().rowsWritten;
      await change();
      await settle();
      return p.stats().rowsWritten - before;
    };
    const added = await rowsFor(() => h.peer('alice').groups.addMember(group, h.user('carol')));
    const promoted = await rowsFor(() => h.peer('alice').groups.setRole(group, h.user('bob'), 'admin'));
    const removed = await rowsFor(() => h.peer('alice').groups.removeMember(group, h.user('carol')));
    console.log(`membership changes in a 200-message group: add ${added}, role ${promoted}, remove ${removed} rows written`);
    for (const rows of [added, promoted, removed]) expect(rows).toBeLessThan(25);
    expect(await db.messages.count()).toBe(200);
    expect(p.stats().errors).toBe(0);
    await h.close();
  });
});

describe('projection schema versions', () => {
  it('rebuilds when a schema upgrade marks the rows stale, and when the database is another account\'s', async () => {
    const { h, idb, db, p, settle } = await setup(['alice', 'bob']);
    const conv = (await h.peer('alice').conversations.openDirect(h.user('bob'))).id;
    await h.peer('bob').conversations.openDirect(h.user('alice'));
    await h.peer('bob').messages.send(conv, 'hi');
    await settle();
    expect(p.stats().rebuilds).toBe(1); // a new database starts with a rebuild
    p.close();
    db.close();
    const current = PROJECTION_SCHEMA_VERSIONS;
    const next = { version: current.at(-1)!.version + 1, stores: { messages: 'id, [conversationId+id], senderId' } };
    const upgraded = await openProjectionDb({ name: 'alice', indexedDB: idb, IDBKeyRange, versions: [...current, next] });
    expect((await upgraded.meta.get('stale'))?.value).toBe(true);
    const again = await createProjection({ kith: h.peer('alice'), db: upgraded });
    expect(again.stats().rebuilds).toBe(1);
    expect(await upgraded.messages.where('senderId').equals(h.user('bob')).count()).toBe(1);
    expect((await upgraded.meta.get('stale'))?.value).toBe(false);
    // Bob's engine on alice's database: the rows are not his view, so they are recomputed.
    const bobs = await createProjection({ kith: h.peer('bob'), db: upgraded });
    expect(bobs.stats().rebuilds).toBe(1);
    expect((await chatList(upgraded, bobs.viewer)).map((r) => r.title)).toEqual(['alice']);
    again.close();
    bobs.close();
    upgraded.close();
    // The old code cannot open a database a newer version wrote.
    const error: unknown = await openProjectionDb({ name: 'alice', indexedDB: idb, IDBKeyRange, versions: current }).catch((e: unknown) => e);
    expect(isKithError(error) && error.code).toBe('unsupported_version');
    await h.close();
  });
});
