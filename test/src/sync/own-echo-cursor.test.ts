import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('SYNC-25: the cursor past my own echoes rides with the next cursor commit', () => {
  it('SYNC-25 echoes of my own pushes commit no cursor of their own; the next received change carries it; a restart loses nothing', async () => {
    world = await createMemoryHarness('sync-25-own-echo');
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    const bobId = await alice.sync.lookup('bob');
    const aliceId = await bob.sync.lookup('alice');
    if (!bobId.ok) throw bobId.error;
    if (!aliceId.ok) throw aliceId.error;
    const direct = await alice.kith.conversations.openDirect(bobId.value);
    await world.flush();
    const ownFeedCursor = async (): Promise<number | undefined> => {
      const all = await alice.storage.listMeta('sync/cursor/feed:');
      const mine = all.filter(([k]) => k.includes(`:${aliceId.value}:`)).map(([, v]) => v as number);
      return mine.length === 0 ? undefined : Math.max(...mine);
    };
    const before = await ownFeedCursor();
    for (let i = 0; i < 5; i++) {
      await alice.kith.messages.send(direct.id, `echo ${i}`);
      await world.flush();
    }
    // Bob got all five (his cursor of alice's feed is committed); alice's own cursor did not move on disk.
    expect((await bob.kith.messages.page(direct.id)).length).toBe(5);
    expect(await ownFeedCursor()).toBe(before);
    expect(alice.kith.outbox()).toHaveLength(0);

    // A change from someone else: its cursor commit carries the echoes' cursor along.
    await bob.kith.messages.send(direct.id, 'reply');
    await world.flush();
    const after = await ownFeedCursor();
    expect(after).toBeGreaterThan(before ?? 0);

    // Restarted: nothing lost, nothing opened again as new.
    const restarted = await world.restart('alice');
    await world.flush();
    expect((await restarted.kith.messages.page(direct.id)).map((m) => m.text).sort()).toEqual(['echo 0', 'echo 1', 'echo 2', 'echo 3', 'echo 4', 'reply']);
    expect(restarted.sync.stats.received).toBe(0);
    console.log(`SYNC-25: alice's own-feed cursor on disk ${String(before)} after 5 echoes, ${String(after)} after bob's reply`);
  });
});
