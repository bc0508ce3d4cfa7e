import { afterEach, describe, expect, it } from 'vitest';
import { directConversationId } from '@kith/core';
import { login, sealIntro } from '@kith/core/testing';
import { openTestSocket, settle } from '@kith/relay/testing';
import { encodeBase64 as toBase64 } from '@kith/core/protocol';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('M4: a token planted for my direct conversation does not stop me claiming my own (SYNC-17)', () => {
  it("M4: mallory plants a read token for direct(bob, alice) in bob's inbox before bob opens it; bob still claims his own and alice reads his message", async () => {
    world = await createMemoryHarness('m4-planted-token');
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    const mallory = await world.addPeer('mallory');
    const aliceId = await bob.sync.lookup('alice');
    const bobId = await alice.sync.lookup('bob');
    if (!aliceId.ok || !bobId.ok) throw new Error('lookup failed');
    await world.flush();

    // Mallory's intro to bob: a bogus token for the direct conversation bob has not opened yet.
    const direct = directConversationId(aliceId.value, bobId.value);
    const intro = sealIntro(world.crypto, mallory.identity, { user: bob.identity.userId, boxKey: bob.identity.public.boxKey }, { grants: [{ scope: `conv:${direct}`, token: 'planted'.repeat(4) }], keyEnvelopes: [] }, 1);
    const session = await login(world.relay.fetch, mallory.identity);
    if (!session.ok) throw session.error;
    const socket = openTestSocket(world.relay.current().relay);
    socket.send({ v: 1, t: 'auth', id: 1, token: session.value });
    await settle(world.relay.current().relay);
    socket.send({ v: 1, t: 'push', id: 2, env: toBase64(intro) });
    await settle(world.relay.current().relay);
    socket.close();
    await world.flush();
    const introsTaken = bob.sync.stats.intros;

    const conv = await bob.kith.conversations.openDirect(aliceId.value);
    expect(conv.id).toBe(direct);
    const hi = await bob.kith.messages.send(direct, 'hi alice');
    await world.flush();
    const shown = await alice.kith.messages.page(direct);
    expect(shown.some((m) => m.id === hi.id)).toBe(true);
    console.log(`M4 planted token: bob took ${introsTaken} intro(s) incl. mallory's (token held unverified); bob claimed his own token; alice shows ${shown.length} message(s) from bob`);
  });
});
