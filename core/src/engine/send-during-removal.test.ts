import { describe, expect, it } from 'vitest';
import { KithError } from '../errors.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';

describe('a send that races the sender\'s own removal', () => {
  it('fails with not_a_member (not storage_failed) and the message is not shown', async () => {
    const h = await createPeerHarness({ backend: createYjsBackend(), seed: 'send-during-removal', peers: ['alice', 'bob'] });
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const g = await alice.groups.create({ name: 'g', members: [h.user('bob')] });
    await h.flush();
    await bob.messages.send(g.id, 'before');
    await h.flush();
    // Alice removes bob; the op is not delivered to bob yet.
    const ops: DocChange[] = [];
    alice.onOutgoing((c) => void ops.push(c));
    await alice.groups.removeMember(g.id, h.user('bob'));
    const removal = ops.find((c) => c.doc === `members:${g.id}`);
    expect(removal).toBeDefined();
    // It arrives while bob's next message is being written: after his change was committed,
    // before the send reads the message back.
    let delivered = false;
    bob.onOutgoing((change) => {
      if (delivered || !change.doc.startsWith('feed:')) return;
      delivered = true;
      expect(bob.receive(removal!).ok).toBe(true);
    });
    const error = await bob.messages.send(g.id, 'during').then(
      () => null,
      (e: unknown) => e,
    );
    expect(delivered).toBe(true);
    expect(error).toBeInstanceOf(KithError);
    expect((error as KithError).code).toBe('not_a_member');
    expect((await bob.messages.page(g.id)).map((m) => m.text)).toEqual(['before']);
    await h.close();
  });
});
