import { afterEach, describe, expect, it } from 'vitest';
import { inboxDocId } from '@kith/core';
import { openDirectApart } from './direct-opened-apart.js';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('direct conversation opened on both sides at once (KEY-8, SYNC-13)', () => {
  it("regression: bob's first message reaches alice before bob's intro carrying his pair key; after the intro it applies", async () => {
    world = await createMemoryHarness('direct-candidate-keys');
    const { alice, bob, direct } = await openDirectApart(world);
    // Bob writes: his message is sealed under HIS candidate pair key.
    const first = await bob.kith.messages.send(direct, 'first from bob');
    await bob.kith.idle();
    await bob.sync.idle();

    // Alice's inbox (bob's intro with his key) is held back; bob's message is not.
    const inbox = inboxDocId(world.crypto, alice.identity.userId);
    world.hold('alice', (doc) => doc === inbox);
    bob.sync.start();
    await world.flush();
    const before = (await alice.kith.messages.page(direct)).map((m) => m.text);
    const parked = alice.sync.describe().parked;
    expect(before).not.toContain('first from bob');
    expect(parked).toBeGreaterThanOrEqual(1);

    world.release('alice');
    await world.flush();
    const after = await alice.kith.messages.page(direct);
    expect(after.some((m) => m.id === first.id && m.text === 'first from bob')).toBe(true);
    expect(alice.sync.describe().parked).toBe(0);
    // And the conversation keeps working both ways afterwards.
    const reply = await alice.kith.messages.send(direct, 'reply from alice');
    await world.flush();
    expect((await bob.kith.messages.page(direct)).some((m) => m.id === reply.id)).toBe(true);
    console.log(`direct candidate keys: before the intro alice shows ${before.length} message(s) and parked ${parked} (decrypt_failed); after it ${after.length} messages, parked 0; reply reached bob`);
  });
});
