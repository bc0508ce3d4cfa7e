import { describe, expect, it } from 'vitest';
import type { ConversationId, MessageId } from '../ids.js';
import type { Kith } from '../kith.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createAutomergeBackend } from '../crdt/automerge/index.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';

const texts = async (k: Kith, conv: ConversationId): Promise<string[]> => (await k.messages.page(conv)).map((m) => m.text);
const emojis = (k: Kith, conv: ConversationId, id: MessageId): string[] => k.messages.reactions(conv, id).map((r) => r.emoji);

/**
 * Block then unblock (data-model.md § blocks): what a blocked person writes while blocked is
 * never shown to the blocker — not even after an unblock or a restart — and what they write
 * after the unblock shows; their chain stays whole, so nothing is reported missing.
 */
describe('hidden changes of a blocked author', () => {
  for (const [name, backend] of [['yjs', createYjsBackend], ['automerge', createAutomergeBackend]] as const) {
    it(`${name}: hidden while blocked, after a restart and after unblock; new messages show; no gaps`, async () => {
      const h = await createPeerHarness({ backend: backend(), seed: `hidden-${name}`, peers: ['alice', 'bob'] });
      const alice = h.peer('alice');
      let bob = h.peer('bob');
      const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
      const m0 = await alice.messages.send(conv, 'before');
      await alice.messages.react(conv, m0.id, '👍');
      const m1 = await alice.messages.send(conv, 'to delete');
      await h.flush();
      expect(await texts(bob, conv)).toEqual(['before', 'to delete']);

      await bob.contacts.block(h.user('alice'));
      await h.flush();
      const events: string[] = [];
      const listen = (k: Kith): void => {
        for (const type of ['message', 'messageEdited', 'messageDeleted', 'messageRetracted', 'reaction'] as const) k.on(type, () => events.push(type));
      };
      listen(bob);
      const w1 = await alice.messages.send(conv, 'while blocked');
      await alice.messages.edit(conv, m0.id, 'edited while blocked');
      await alice.messages.react(conv, m0.id, '😡');
      await alice.messages.delete(conv, m1.id);
      const w2 = await alice.messages.send(conv, 'while blocked 2');
      await h.flush();

      const check = async (k: Kith, when: string): Promise<void> => {
        expect(await texts(k, conv), when).toEqual(['before', '']);
        expect((await k.messages.get(conv, m0.id))?.editedAt, when).toBeNull();
        // A delete is honoured (the author retracts; nothing new is shown).
        expect((await k.messages.get(conv, m1.id))?.deleted, when).toBe(true);
        expect(await k.messages.get(conv, w1.id), when).toBeNull();
        expect(await k.messages.get(conv, w2.id), when).toBeNull();
        expect(emojis(k, conv, m0.id), when).toEqual(['👍']);
        expect(k.gaps(), when).toEqual([]);
      };
      await check(bob, 'blocked');
      expect(events).toEqual(['messageDeleted']);
      const hiddenCount = bob.stats().rejected;
      expect(hiddenCount).toBe(5); // 2 sends, an edit, a reaction and the delete (applied, counted)

      bob = await h.restart('bob');
      await h.flush();
      await check(bob, 'blocked, restarted');

      await bob.contacts.unblock(h.user('alice'));
      await h.flush();
      await check(bob, 'unblocked');
      bob = await h.restart('bob');
      await h.flush();
      await check(bob, 'unblocked, restarted');

      listen(bob);
      const after = await alice.messages.send(conv, 'after unblock');
      await alice.messages.edit(conv, m0.id, 'edited after unblock');
      await alice.messages.react(conv, m0.id, '❤️');
      await h.flush();
      expect(await texts(bob, conv)).toEqual(['edited after unblock', '', 'after unblock']);
      expect(await bob.messages.get(conv, after.id)).not.toBeNull();
      expect(await bob.messages.get(conv, w1.id)).toBeNull();
      expect(emojis(bob, conv, m0.id)).toEqual(['❤️']);
      expect(bob.gaps()).toEqual([]);
      expect(events).toEqual(expect.arrayContaining(['message', 'messageEdited', 'reaction']));
      // Alice's own view is untouched (the block is private): her delete shows there as a tombstone.
      expect(await texts(alice, conv)).toEqual(['edited after unblock', '', 'while blocked', 'while blocked 2', 'after unblock']);

      bob = await h.restart('bob');
      await h.flush();
      expect(await texts(bob, conv)).toEqual(['edited after unblock', '', 'after unblock']);
      expect(bob.gaps()).toEqual([]);
      console.log(`[hidden ${name}] ${hiddenCount} changes hidden while blocked; bob shows ${(await texts(bob, conv)).length} of alice's 5 messages after unblock, gaps 0`);
      await h.close();
    });

    it(`${name}: in a group only the blocked member's changes are hidden (through a later removal and the unblock)`, async () => {
      const h = await createPeerHarness({ backend: backend(), seed: `hidden-group-${name}`, peers: ['alice', 'bob', 'carol', 'dave'] });
      const [alice, bob, carol, dave] = [h.peer('alice'), h.peer('bob'), h.peer('carol'), h.peer('dave')];
      const g = (await alice.groups.create({ name: 'g', members: [h.user('bob'), h.user('carol'), h.user('dave')] })).id;
      await h.flush();
      const a0 = await alice.messages.send(g, 'alice 1');
      await h.flush();
      await bob.contacts.block(h.user('carol'));
      await h.flush();
      await carol.messages.send(g, 'carol while blocked');
      await carol.messages.react(g, a0.id, '😡');
      await dave.messages.send(g, 'dave 1');
      await h.flush();
      expect(await texts(bob, g)).toEqual(['alice 1', 'dave 1']);
      expect(emojis(bob, g, a0.id)).toEqual([]);
      expect(emojis(alice, g, a0.id)).toEqual(['😡']);
      await alice.groups.removeMember(g, h.user('dave'));
      await h.flush();
      await bob.contacts.unblock(h.user('carol'));
      await carol.messages.send(g, 'carol after');
      await h.flush();
      expect(await texts(bob, g)).toEqual(['alice 1', 'dave 1', 'carol after']);
      expect(emojis(bob, g, a0.id)).toEqual([]);
      expect((await texts(alice, g)).sort()).toEqual(['alice 1', 'carol after', 'carol while blocked', 'dave 1']);
      expect(bob.gaps()).toEqual([]);
      await h.close();
    });

    it(`${name}: a blocked author's change the feed policy holds stays hidden when it applies after a restart and an unblock`, async () => {
      const h = await createPeerHarness({ backend: backend(), seed: `hidden-held-${name}`, peers: ['alice', 'bob', 'dave'] });
      const [alice, dave] = [h.peer('alice'), h.peer('dave')];
      let bob = h.peer('bob');
      const g = (await alice.groups.create({ name: 'g', members: [h.user('bob')] })).id;
      await alice.messages.send(g, 'alice 1');
      await bob.contacts.block(h.user('dave'));
      await h.flush();
      // Bob is cut off; dave joins and writes. His change reaches bob before the add op does.
      h.net.partition([['alice', 'dave', 'hub'], ['bob']], 'hold');
      const outgoing: DocChange[] = [];
      dave.onOutgoing((c) => outgoing.push(c));
      await alice.groups.addMember(g, h.user('dave'));
      h.net.flush();
      await dave.messages.send(g, 'dave while blocked');
      await dave.idle();
      const feed = outgoing.filter((c) => c.doc.startsWith('feed:'));
      expect(feed).toHaveLength(1);
      expect(bob.receive(feed[0]!)).toEqual({ ok: true, value: 'pending' });
      expect(bob.stats().held).toBe(1);
      await bob.idle();

      bob = await h.restart('bob');
      await bob.contacts.unblock(h.user('dave'));
      expect(bob.stats().held).toBe(1);
      h.net.heal();
      await h.flush();
      expect(bob.stats().held).toBe(0);
      expect(await texts(bob, g)).toEqual(['alice 1']);
      await dave.messages.send(g, 'dave after');
      await h.flush();
      expect(await texts(bob, g)).toEqual(['alice 1', 'dave after']);
      expect(bob.gaps()).toEqual([]);
      bob = await h.restart('bob');
      await h.flush();
      expect(await texts(bob, g)).toEqual(['alice 1', 'dave after']);
      await h.close();
    });
  }
});
