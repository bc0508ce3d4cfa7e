import { describe, expect, it } from 'vitest';
import { createCrdtBackend } from '../crdt/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';

for (const backend of ['yjs', 'automerge'] as const) describe(`engine scenarios (${backend})`, () => {
  it('three people chat in a group and everyone sees the same history', async () => {
    const h = await createPeerHarness({ backend: createCrdtBackend(backend), seed: 'scenario-1', peers: ['alice', 'bob', 'carol'] });
    const alice = h.peer('alice');
    const group = await alice.groups.create({ name: 'Trip', members: [h.user('bob'), h.user('carol')] });
    await h.flush();
    const m1 = await alice.messages.send(group.id, 'hello');
    h.clock.advance(5);
    await h.flush();
    const m2 = await h.peer('bob').messages.send(group.id, { text: 'hi!', replyTo: m1.id });
    await h.flush();
    await h.peer('carol').messages.react(group.id, m2.id, '👍');
    await h.peer('carol').receipts.markRead(group.id, m2.id);
    await h.flush();
    for (const name of ['alice', 'bob', 'carol']) {
      const page = await h.peer(name).messages.page(group.id);
      expect(page.map((m) => m.text)).toEqual(['hello', 'hi!']);
      expect(h.peer(name).messages.reactions(group.id, m2.id).map((r) => [r.user, r.emoji])).toEqual([[h.user('carol'), '👍']]);
      expect(h.peer(name).receipts.forMember(group.id, h.user('carol')).read).toBe(m2.id);
    }
    const status = await alice.receipts.forMessage(group.id, m2.id);
    expect(status).toContainEqual({ user: h.user('carol'), status: 'read' });
    expect(status).toContainEqual({ user: h.user('alice'), status: 'sent' });
  });

  it('both sides open the same direct conversation offline and end in one', async () => {
    const h = await createPeerHarness({ backend: createCrdtBackend(backend), seed: 'direct-1', peers: ['alice', 'bob'] });
    const a = await h.peer('alice').conversations.openDirect(h.user('bob'));
    const b = await h.peer('bob').conversations.openDirect(h.user('alice'));
    expect(a.id).toBe(b.id);
    await h.peer('alice').messages.send(a.id, 'from alice');
    await h.peer('bob').messages.send(b.id, 'from bob');
    await h.flush();
    const pa = await h.peer('alice').messages.page(a.id);
    const pb = await h.peer('bob').messages.page(b.id);
    expect(pa.map((m) => m.text).sort()).toEqual(['from alice', 'from bob']);
    expect(pa).toEqual(pb);
  });
});
