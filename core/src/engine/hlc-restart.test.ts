import { describe, expect, it } from 'vitest';
import type { CrdtBackend } from '../ports/crdt.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createAutomergeBackend } from '../crdt/automerge/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';

const backends: Array<[string, CrdtBackend]> = [
  ['yjs', createYjsBackend()],
  ['automerge', createAutomergeBackend()],
];

// Seed automerge-75 of the convergence suite: a restarted device whose newest feed chunk holds no
// message (a receipt opened it) resumed its clock from other people's ids only, and its next
// messages sorted before the ones it had sent just before the restart.
describe.each(backends)('ID-3 the clock resumes past its own ids after a restart (%s)', (name, backend) => {
  it('a message sent after a restart sorts after those sent before it, whichever chunks are loaded', async () => {
    const h = await createPeerHarness({ backend, seed: `hlc-restart-${name}`, peers: ['alice', 'bob'], chunkMessages: 2 });
    const bob = h.peer('bob');
    const conv = (await bob.conversations.openDirect(h.user('alice'))).id;
    const fromBob = await bob.messages.send(conv, 'hi alice');
    await h.flush();
    h.clock.advance(1_000);
    const alice = h.peer('alice');
    const before = [await alice.messages.send(conv, 'one'), await alice.messages.send(conv, 'two')];
    // alice's chunk 0 is full: the receipt opens her chunk 1, which holds no message.
    await alice.receipts.markRead(conv, fromBob.id);
    await h.flush();
    // The wall clock is corrected back by less than the skew bound (ID-2), then the device restarts.
    h.clock.set(h.clock.now() - 900);
    const restarted = await h.restart('alice');
    const after = await restarted.messages.send(conv, 'three');
    for (const m of before) expect(after.id > m.id, `${after.id} after ${m.id}`).toBe(true);
    await h.flush();
    for (const who of ['alice', 'bob']) {
      const page = await h.peer(who).messages.page(conv);
      expect(page.map((m) => m.text), who).toEqual(['hi alice', 'one', 'two', 'three']);
    }
    await h.close();
  });
});
