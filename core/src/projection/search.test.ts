import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { isKithError } from '../errors.js';
import { createAutomergeBackend } from '../crdt/automerge/index.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { createProjection } from './create-projection.js';
import { openProjectionDb } from './projection-schema.js';
import { searchChats } from './queries/chat-search.js';
import { SEARCH_SCAN_BUDGET, searchMessages } from './queries/message-search.js';

/** Message and chat search (ADR 0028) through the engine's public API and the projection, on both CRDT backends. */
for (const [name, backend] of [['yjs', createYjsBackend], ['automerge', createAutomergeBackend]] as const) {
  async function setup(names = ['alice', 'bob', 'carol']) {
    const h = await createPeerHarness({ backend: backend(), seed: `search-${name}`, peers: names, chunkMessages: 40 });
    const db = await openProjectionDb({ name: 'alice', indexedDB: new IDBFactory(), IDBKeyRange });
    const p = await createProjection({ kith: h.peer('alice'), db });
    const settle = async (): Promise<void> => {
      h.clock.advance(3);
      await h.flush();
      for (const n of names) await h.peer(n).idle();
      await p.idle();
    };
    const search = async (text: string, query: Parameters<typeof searchMessages>[3] = {}) =>
      (await searchMessages(db, p.viewer, text, query)).messages.map((m) => m.body);
    return { h, db, p, settle, search };
  }

  describe(`message search (${name})`, () => {
    it('finds prefixes across conversations newest first, folded for case and diacritics, unicode included', async () => {
      const { h, db, p, settle, search } = await setup();
      const [alice, bob, carol] = [h.peer('alice'), h.peer('bob'), h.peer('carol')];
      const direct = (await alice.conversations.openDirect(h.user('bob'))).id;
      await bob.conversations.openDirect(h.user('alice'));
      const group = (await carol.groups.create({ name: 'Café club', members: [h.user('alice'), h.user('bob')] })).id;
      await settle();
      await bob.messages.send(direct, 'See you at the CAFÉ');
      await settle();
      await carol.messages.send(group, 'Which café? Zoë knows');
      await settle();
      await alice.messages.send(group, '東京 trip, cafés everywhere 😀');
      await settle();
      await bob.messages.send(direct, 'decaf only'); // "decaf" does not start with "cafe"
      await settle();
      expect(await search('cafe')).toEqual(['東京 trip, cafés everywhere 😀', 'Which café? Zoë knows', 'See you at the CAFÉ']);
      expect(await search('ZOE')).toEqual(['Which café? Zoë knows']);
      expect(await search('京')).toEqual(['東京 trip, cafés everywhere 😀']);
      expect(await search('caf see')).toEqual(['See you at the CAFÉ']);
      expect(await search('cafe', { conversation: direct })).toEqual(['See you at the CAFÉ']);
      expect(await search('x')).toEqual([]); // one letter: no term
      const page = await searchMessages(db, p.viewer, 'cafe', { limit: 1 });
      expect(page.messages[0]).toMatchObject({ conversationId: group, senderId: h.user('alice'), username: 'alice' });
      const hit = page.messages[0]!;
      expect(hit.matches.map(([s, e]) => hit.body.slice(s, e))).toEqual(['café']);
      await expect(searchMessages(db, p.viewer, 'cafe', { limit: 0 })).rejects.toSatisfy(isKithError);
      await h.close();
    });

    it('edited-away and deleted text stops matching; the edit matches', async () => {
      const { h, db, settle, search } = await setup(['alice', 'bob']);
      const [alice, bob] = [h.peer('alice'), h.peer('bob')];
      const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
      await bob.conversations.openDirect(h.user('alice'));
      await settle();
      const m1 = await bob.messages.send(conv, 'meet at the harbour');
      const m2 = await bob.messages.send(conv, 'bring the harpoon');
      await settle();
      expect(await search('harb')).toEqual(['meet at the harbour']);
      await bob.messages.edit(conv, m1.id, 'meet at the station');
      await settle();
      expect(await search('harb')).toEqual([]);
      expect(await search('stat')).toEqual(['meet at the station']);
      await bob.messages.delete(conv, m2.id);
      await settle();
      expect(await search('harp')).toEqual([]);
      expect(await search('har')).toEqual([]);
      expect(await db.searchIndex.get(m2.id)).toBeUndefined(); // the index row went with the text
      await h.close();
    });

    it('cleared messages, a blocked author\'s later messages and a left group do not match; a rebuild keeps the index', async () => {
      const { h, db, p, settle, search } = await setup();
      const [alice, bob, carol] = [h.peer('alice'), h.peer('bob'), h.peer('carol')];
      const direct = (await alice.conversations.openDirect(h.user('bob'))).id;
      await bob.conversations.openDirect(h.user('alice'));
      const group = (await carol.groups.create({ name: 'g', members: [h.user('alice'), h.user('bob')] })).id;
      await settle();
      const old = await bob.messages.send(direct, 'pineapple one');
      await settle();
      await bob.messages.send(direct, 'pineapple two');
      await settle();
      await carol.messages.send(group, 'pineapple in the group');
      await settle();
      expect(await search('pine')).toEqual(['pineapple in the group', 'pineapple two', 'pineapple one']);
      await alice.conversations.setState(direct, { clearedUpTo: old.id });
      await settle();
      expect(await search('pine')).toEqual(['pineapple in the group', 'pineapple two']);

      await alice.contacts.block(h.user('bob'));
      await settle();
      await bob.messages.send(direct, 'pineapple while blocked');
      await settle();
      expect(await search('pine')).toEqual(['pineapple in the group', 'pineapple two']);

      await alice.groups.leave(group);
      await settle();
      expect(await search('pine')).toEqual(['pineapple two']);

      const keys = async () => (await db.searchIndex.toArray()).flatMap((r) => r.global).sort();
      const before = await keys();
      await p.rebuild();
      expect(await keys()).toEqual(before);
      expect(await search('pine')).toEqual(['pineapple two']);
      await h.close();
    });

    it('pages by keyset without overlap; every term must match', async () => {
      const { h, db, p, settle, search } = await setup(['alice', 'bob']);
      const [alice, bob] = [h.peer('alice'), h.peer('bob')];
      const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
      await bob.conversations.openDirect(h.user('alice'));
      await settle();
      for (let i = 0; i < 45; i++) {
        h.clock.advance(1);
        await (i % 2 === 0 ? alice : bob).messages.send(conv, i % 3 === 0 ? `needle ${i}` : `hay ${i}`);
      }
      await settle();
      const seen: string[] = [];
      let before: string | undefined;
      const sizes: number[] = [];
      for (;;) {
        const page = await searchMessages(db, p.viewer, 'needle', before === undefined ? { limit: 4 } : { limit: 4, before });
        sizes.push(page.messages.length);
        seen.push(...page.messages.map((m) => m.body));
        if (page.next === null) break;
        before = page.next;
      }
      const needles = Array.from({ length: 15 }, (_, k) => `needle ${k * 3}`).reverse();
      expect(seen).toEqual(needles);
      expect(sizes.slice(0, 3)).toEqual([4, 4, 4]);
      // "needle hay": the driver is "needle" (longest); every candidate fails "hay".
      expect(await search('needle hay')).toEqual([]);
      await h.close();
    });

    // Backend-independent (the query reads only the projection) and 2,000 sends long: Yjs only.
    it.runIf(name === 'yjs')('a page walks at most SEARCH_SCAN_BUDGET index entries and returns a cursor to go on', async () => {
      const { h, db, p, settle } = await setup(['alice', 'bob']);
      const [alice, bob] = [h.peer('alice'), h.peer('bob')];
      const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
      await bob.conversations.openDirect(h.user('alice'));
      await settle();
      const first = await bob.messages.send(conv, 'common rarity');
      for (let i = 0; i < SEARCH_SCAN_BUDGET + 50; i++) await bob.messages.send(conv, `common ${i}`);
      await settle();
      // Driver "common" (the longer term): the budget ends the first page before the one match.
      const page1 = await searchMessages(db, p.viewer, 'common rar', { limit: 5 });
      expect(page1.messages).toEqual([]);
      expect(page1.next).not.toBeNull();
      const page2 = await searchMessages(db, p.viewer, 'common rar', { limit: 5, before: page1.next! });
      expect(page2.messages.map((m) => m.id)).toEqual([first.id]);
      expect(page2.next).toBeNull();
      await h.close();
    }, 60_000);

    it('a hostile huge text indexes a bounded number of tokens', async () => {
      const { h, db, settle, search } = await setup(['alice', 'bob']);
      const [alice, bob] = [h.peer('alice'), h.peer('bob')];
      const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
      await bob.conversations.openDirect(h.user('alice'));
      await settle();
      const words = Array.from({ length: 12_000 }, (_, i) => `q${i.toString(36)}z`);
      await bob.messages.send(conv, words.join(' ').slice(0, 60_000));
      await settle();
      const rows = await db.searchIndex.toArray();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.global.length).toBeLessThanOrEqual(512);
      expect(await search(words[0]!)).toHaveLength(1);
      expect(await search(words[11_000]!)).toEqual([]);
      await h.close();
    });
  });

  describe(`chat search (${name})`, () => {
    it('filters the chat list by title and by member names, folded', async () => {
      const { h, db, p, settle } = await setup();
      const [alice, bob, carol] = [h.peer('alice'), h.peer('bob'), h.peer('carol')];
      await alice.conversations.openDirect(h.user('bob'));
      await bob.conversations.openDirect(h.user('alice'));
      await carol.groups.create({ name: 'Équipe Rouge', members: [h.user('alice'), h.user('bob')] });
      await settle();
      const titles = async (q: string) => (await searchChats(db, p.viewer, q)).map((c) => c.title);
      expect(await titles('equ')).toEqual(['Équipe Rouge']);
      expect(await titles('car')).toEqual(['Équipe Rouge']); // a member
      expect((await titles('bo')).sort()).toEqual(['bob', 'Équipe Rouge'].sort());
      expect(await titles('alice')).toEqual([]); // the viewer is every chat's member: not a match
      expect(await titles('')).toHaveLength(2);
      await h.close();
    });
  });
}
