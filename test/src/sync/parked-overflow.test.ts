import { afterEach, describe, expect, it } from 'vitest';
import { inboxDocId } from '@kith/core';
import { MAX_PARKED_PER_AUTHOR } from '@kith/core/testing';
import { openDirectApart } from './direct-opened-apart.js';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('SYNC-19: more envelopes wait for a key than the parked bound holds', () => {
  it('none is lost: what did not fit is read again once the parked ones open', async () => {
    world = await createMemoryHarness('parked-overflow');
    // Both open the conversation while apart (two candidate pair keys, KEY-8); bob then writes a
    // flood that alice can only open once his intro (held back) brings his key.
    const { alice, bob, direct } = await openDirectApart(world);
    const total = MAX_PARKED_PER_AUTHOR + 40;
    for (let i = 0; i < total; i++) await bob.kith.messages.send(direct, `flood ${i}`);
    await bob.kith.idle();
    world.hold('alice', (doc) => doc === inboxDocId(world!.crypto, alice.identity.userId));
    bob.sync.start();
    await world.flush();
    const shownBefore = (await alice.kith.messages.page(direct, { limit: 500 })).filter((m) => m.author === bob.identity.userId).length;
    const parked = alice.sync.describe().parked;
    expect(shownBefore).toBe(0);
    expect(parked).toBeLessThanOrEqual(MAX_PARKED_PER_AUTHOR);

    world.release('alice');
    await world.flush();
    const shown = (await alice.kith.messages.page(direct, { limit: 500 })).filter((m) => m.author === bob.identity.userId).length;
    console.log(`SYNC-19: bob sent ${total}; before his key alice parked ${parked} (bound ${MAX_PARKED_PER_AUTHOR}) and showed ${shownBefore}; after it she shows ${shown}, parked ${alice.sync.describe().parked}, gaps ${alice.kith.gaps().length}, state ${alice.sync.state}`);
    expect(shown).toBe(total);
    expect(alice.sync.describe().parked).toBe(0);
    expect(alice.kith.gaps()).toEqual([]);
  });
});
