import { describe, expect, it } from 'vitest';
import { createAutomergeBackend } from '../crdt/automerge/index.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import type { CrdtBackend } from '../ports/crdt.js';
import type { MessageId } from '../ids.js';
import { createPeerHarness } from '../testing/peer-harness.js';

const backends: Array<[string, () => CrdtBackend]> = [
  ['yjs', createYjsBackend],
  ['automerge', createAutomergeBackend],
];

describe.each(backends)('delete for me (%s)', (_name, backend) => {
  it('hides a message on my devices only; the others keep it; pages stay full; bad ids get typed errors', async () => {
    const h = await createPeerHarness({ backend: backend(), seed: 'hide-message', peers: ['alice', { name: 'alice2', sameUserAs: 'alice' }, 'bob'] });
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const conv = await alice.conversations.openDirect(h.user('bob'));
    await alice.messages.send(conv.id, 'one');
    await h.flush();
    await bob.messages.send(conv.id, 'two');
    await h.flush();
    const three = await alice.messages.send(conv.id, 'three');
    await h.flush();
    const texts = async (name: string, limit = 50) => (await h.peer(name).messages.page(conv.id, { limit })).map((m) => m.text);
    expect(await texts('alice2')).toEqual(['one', 'two', 'three']);
    const two = (await bob.messages.page(conv.id)).find((m) => m.text === 'two');
    expect(two).toBeDefined();
    const events: string[] = [];
    h.peer('alice2').on('conversation', ({ conversation }) => events.push(conversation));

    await alice.messages.hide(conv.id, two!.id);
    await alice.messages.hide(conv.id, two!.id); // twice is once
    await h.flush();
    expect(await texts('alice')).toEqual(['one', 'three']);
    expect(await texts('alice2')).toEqual(['one', 'three']);
    expect(events).toContain(conv.id);
    expect(await texts('bob')).toEqual(['one', 'two', 'three']);
    // A page of 2 is refilled past the hidden one; the page before "three" skips it too.
    expect(await texts('alice', 2)).toEqual(['one', 'three']);
    expect((await alice.messages.page(conv.id, { before: three.id, limit: 1 })).map((m) => m.text)).toEqual(['one']);
    // A restarted device still hides it (it is stored, not session state).
    await h.restart('alice2');
    expect(await texts('alice2')).toEqual(['one', 'three']);

    await expect(alice.messages.hide(conv.id, 'not-an-id' as MessageId)).rejects.toMatchObject({ code: 'invalid_id' });
    await expect(alice.messages.hide(conv.id, '0190a0b0-0000-7000-8000-000000000001' as MessageId)).rejects.toMatchObject({ code: 'unknown_message' });
    await h.close();
  });
});
