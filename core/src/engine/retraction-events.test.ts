import { describe, expect, it } from 'vitest';
import type { MessageId } from '../ids.js';
import { createAutomergeBackend } from '../crdt/automerge/index.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';

/**
 * A removal learned late can retract messages a viewer already showed (the remover's cutoff
 * did not cover them): the engine emits `messageRetracted` for each, and `reaction` for each
 * retracted reaction, so views drop them.
 */
describe('retraction events', () => {
  for (const [name, backend] of [['yjs', createYjsBackend], ['automerge', createAutomergeBackend]] as const) {
    it(`${name}: a message retracted by a concurrent removal's cutoff emits messageRetracted`, async () => {
      const h = await createPeerHarness({ backend: backend(), seed: `retraction-${name}`, peers: ['alice', 'bob', 'carol'] });
      const alice = h.peer('alice');
      const bob = h.peer('bob');
      const carol = h.peer('carol');
      const g = await alice.groups.create({ name: 'g', members: [h.user('bob'), h.user('carol')] });
      await h.flush();
      const kept = await bob.messages.send(g.id, 'before');
      await h.flush();

      // Alice is cut off; bob's next message reaches carol, and alice removes bob without it.
      h.net.partition([['alice'], ['bob', 'carol', 'hub']], 'hold');
      const cut = await bob.messages.send(g.id, 'concurrent');
      await bob.messages.react(g.id, kept.id, '👍');
      h.net.flush();
      expect((await carol.messages.get(g.id, cut.id))?.text).toBe('concurrent');
      expect(carol.messages.reactions(g.id, kept.id).map((r) => [r.user, r.emoji])).toEqual([[h.user('bob'), '👍']]);
      await alice.groups.removeMember(g.id, h.user('bob'));

      const retracted: MessageId[] = [];
      const deleted: MessageId[] = [];
      carol.on('messageRetracted', (e) => {
        expect(e.conversation).toBe(g.id);
        expect(e.author).toBe(h.user('bob'));
        retracted.push(e.id);
      });
      carol.on('messageDeleted', (e) => deleted.push(e.id));
      const reacted: MessageId[] = [];
      carol.on('reaction', (e) => reacted.push(e.messageId));
      h.net.heal();
      await h.flush();

      const texts = (await carol.messages.page(g.id)).map((m) => m.text);
      console.log(`[retraction ${name}] carol retracted=${retracted.length} deleted=${deleted.length} reaction events=${reacted.length} shows=${JSON.stringify(texts)}`);
      expect(await carol.messages.get(g.id, cut.id)).toBeNull();
      expect(retracted).toEqual([cut.id]);
      expect(deleted).toEqual([]);
      expect(texts).toEqual(['before']);
      expect((await carol.messages.get(g.id, kept.id))?.text).toBe('before');
      // The retracted reaction has an event too, so views drop it.
      expect(reacted).toContain(kept.id);
      expect(carol.messages.reactions(g.id, kept.id)).toEqual([]);
    });
  }
});
