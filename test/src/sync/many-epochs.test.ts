import { afterEach, describe, expect, it } from 'vitest';
import { MAX_KEYS_PER_GRANT } from '@kith/core/testing';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a group with more epochs than one key box holds (KEY-4 box ≤ 4,096 bytes; SYNC-22)', () => {
  it(`keeps rotating past ${MAX_KEYS_PER_GRANT} epochs, and a joiner then reads the whole history`, async () => {
    // One rotation per message (KEY-6c with maxMessages 1): a year of weekly rotations is 52 epochs.
    world = await createMemoryHarness('many-epochs', { rotation: { maxMessages: 1, maxAgeMs: 1e12, takeoverMs: 30_000 } });
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    const carol = await world.addPeer('carol');
    await world.flush();
    const b = await alice.sync.lookup('bob');
    const c = await alice.sync.lookup('carol');
    if (!b.ok || !c.ok) throw new Error('lookup failed');
    const conv = (await alice.kith.groups.create({ name: 'Old group', members: [b.value] })).id;
    await world.flush();
    const n = MAX_KEYS_PER_GRANT + 15;
    for (let i = 0; i < n; i++) {
      await alice.kith.messages.send(conv, `m${i}`);
      await world.flush();
    }
    const epoch = alice.sync.describe().epochs[conv] ?? 0;
    expect(epoch).toBeGreaterThanOrEqual(n);
    expect(bob.sync.describe().epochs[conv]).toBe(epoch);
    const count = async (p: typeof alice): Promise<number> => (await p.kith.messages.page(conv, { limit: 500 })).length;
    expect(await count(bob)).toBe(n);
    // Carol joins: she needs the roster and full keys of every earlier epoch (SYNC-20): more
    // than one box holds, so they come in several key envelopes.
    await alice.kith.groups.addMember(conv, c.value);
    await world.flush();
    await alice.kith.messages.send(conv, 'welcome carol');
    await world.flush();
    console.log(`[many-epochs] ${epoch} epochs for ${n} messages; carol ${JSON.stringify(carol.sync.stats)}`);
    expect(await count(carol)).toBe(n + 1);
    expect(await count(bob)).toBe(n + 1);
  }, 120_000);
});
