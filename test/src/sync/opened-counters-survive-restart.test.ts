import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('M6: counters of opened envelopes survive a restart (SYNC-16)', () => {
  it('M6: after a restart the relay replays every old envelope: 0 are opened as new', async () => {
    world = await createMemoryHarness('m6-counter-restart');
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    const bobId = await alice.sync.lookup('bob');
    if (!bobId.ok) throw bobId.error;
    const group = await alice.kith.groups.create({ name: 'G', members: [bobId.value] });
    const direct = await alice.kith.conversations.openDirect(bobId.value);
    for (let i = 0; i < 10; i++) {
      await alice.kith.messages.send(group.id, `group ${i}`);
      await alice.kith.messages.send(direct.id, `direct ${i}`);
    }
    await world.flush();
    const opened = bob.sync.stats.envelopes;
    const shown = (await bob.kith.messages.page(group.id)).length + (await bob.kith.messages.page(direct.id)).length;
    expect(shown).toBe(20);

    // A hostile relay ignores `after`: modelled by wiping bob's cursors, so the restarted client
    // asks for every entry again and the relay serves the whole log.
    await bob.sync.stop();
    const cursors = await bob.storage.listMeta('sync/cursor/');
    await bob.storage.commit(cursors.map(([key]) => ({ type: 'deleteMeta' as const, key })));
    const restarted = await world.restart('bob');
    let events = 0;
    restarted.kith.on('message', () => void events++);
    await world.flush();
    const replayed = restarted.sync.stats.rejected;
    expect(restarted.sync.stats.received).toBe(0);
    expect(restarted.sync.stats.envelopes).toBe(0);
    expect(replayed).toBeGreaterThanOrEqual(opened);
    expect(events).toBe(0);
    expect((await restarted.kith.messages.page(group.id)).length + (await restarted.kith.messages.page(direct.id)).length).toBe(20);

    // Still live afterwards: a new message opens as new.
    await alice.kith.messages.send(group.id, 'after the replay');
    await world.flush();
    expect(restarted.sync.stats.received).toBe(1);
    console.log(`M6: bob had opened ${opened} envelopes; after a restart the relay replayed them all: opened as new 0, refused as replay ${replayed}; message events 0; next live message opened 1`);
  });
});
