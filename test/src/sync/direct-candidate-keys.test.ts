import { afterEach, describe, expect, it } from 'vitest';
import { inboxDocId } from '../../../core/src/sync/index.js';
import { createSyncWorld, type SyncWorld } from './sync-world.js';

let world: SyncWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('direct conversation opened on both sides at once (KEY-8, SYNC-13)', () => {
  it("regression: bob's first message reaches alice before bob's intro carrying his pair key; after the intro it applies", async () => {
    world = await createSyncWorld('direct-candidate-keys');
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    const bobId = await alice.sync.lookup('bob');
    const aliceId = await bob.sync.lookup('alice');
    if (!bobId.ok || !aliceId.ok) throw new Error('lookup failed');
    await world.flush();

    // Bob is offline; alice opens the conversation and writes first: her candidate pair key,
    // her read token claimed at the relay, her intro waiting in bob's inbox.
    await bob.sync.stop();
    const direct = await alice.kith.conversations.openDirect(bobId.value);
    await alice.kith.messages.send(direct.id, 'first from alice');
    await world.flush();
    // Alice reconnects so she subscribes to bob's feed of the conversation (with her token).
    await alice.sync.stop();
    alice.sync.start();
    await world.flush();

    // Bob, still offline and unaware of alice's key, opens the same conversation and writes:
    // his message is sealed under HIS candidate pair key.
    const same = await bob.kith.conversations.openDirect(aliceId.value);
    expect(same.id).toBe(direct.id);
    const first = await bob.kith.messages.send(direct.id, 'first from bob');
    await bob.kith.idle();
    await bob.sync.idle();

    // Alice's inbox (bob's intro with his key) is held back; bob's message is not.
    const inbox = inboxDocId(world.crypto, alice.identity.userId);
    world.hold('alice', (doc) => doc === inbox);
    bob.sync.start();
    await world.flush();
    const before = (await alice.kith.messages.page(direct.id)).map((m) => m.text);
    const parked = alice.sync.describe().parked;
    expect(before).not.toContain('first from bob');
    expect(parked).toBeGreaterThanOrEqual(1);

    world.release('alice');
    await world.flush();
    const after = await alice.kith.messages.page(direct.id);
    expect(after.some((m) => m.id === first.id && m.text === 'first from bob')).toBe(true);
    expect(alice.sync.describe().parked).toBe(0);
    // And the conversation keeps working both ways afterwards.
    const reply = await alice.kith.messages.send(direct.id, 'reply from alice');
    await world.flush();
    expect((await bob.kith.messages.page(direct.id)).some((m) => m.id === reply.id)).toBe(true);
    console.log(`direct candidate keys: before the intro alice shows ${before.length} message(s) and parked ${parked} (decrypt_failed); after it ${after.length} messages, parked 0; reply reached bob`);
  });
});
