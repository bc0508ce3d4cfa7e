import { afterEach, describe, expect, it } from 'vitest';
import { lookupAll, snapshotKith, type SyncHarness } from '@kith/core/testing';
import { createDexieHarness, createMemoryHarness } from './presets.js';
import type { InProcessRelay } from './relay-host.js';

let worlds: Array<SyncHarness<InProcessRelay>> = [];
afterEach(async () => {
  for (const w of worlds) await w.close();
  worlds = [];
});

/** Alice and bob in a group; alice sends `n` messages while her link is lossy, then the world heals. */
async function lossyRun(seed: string): Promise<{ world: SyncHarness<InProcessRelay>; texts: string[] }> {
  const world = await createDexieHarness(seed, 'yjs');
  worlds.push(world);
  const [alice, bob] = [await world.addPeer('alice'), await world.addPeer('bob')];
  const ids = await lookupAll(['alice', 'bob'], (n) => world.peer(n));
  const group = await alice.kith.groups.create({ name: 'G', members: [ids.get('bob')!] });
  await world.flush();
  alice.link.faults = { drop: 0.05, duplicate: 0.3, reorder: 0.3 };
  for (let i = 0; i < 12; i++) await alice.kith.messages.send(group.id, `m${i}`);
  await world.flush({ maxRounds: 100 }).catch(() => undefined);
  alice.link.faults = { drop: 0, duplicate: 0, reorder: 0 };
  await world.flush();
  return { world, texts: (await bob.kith.messages.page(group.id)).map((m) => m.text) };
}

describe('the sync harness (@kith/core/testing) over the in-process relay', () => {
  it('flushes until quiet; a partitioned peer catches up after it heals; a killed peer restarts from its own storage', async () => {
    const world = await createMemoryHarness('harness-basics');
    worlds.push(world);
    const [alice, bob] = [await world.addPeer('alice'), await world.addPeer('bob')];
    const ids = await lookupAll(['alice', 'bob'], (n) => world.peer(n));
    const group = await alice.kith.groups.create({ name: 'G', members: [ids.get('bob')!] });
    await world.flush();
    world.setOnline('bob', false);
    await alice.kith.messages.send(group.id, 'while bob is away');
    await world.flush();
    expect(bob.sync.state).toBe('offline');
    expect(await bob.kith.messages.page(group.id)).toEqual([]);
    world.setOnline('bob', true);
    await world.flush({ until: 'upToDate' });
    expect((await bob.kith.messages.page(group.id)).map((m) => m.text)).toEqual(['while bob is away']);
    const before = JSON.stringify(await snapshotKith(bob.kith));
    const restarted = await world.restart('bob', { kill: true });
    expect(restarted).toBe(bob); // replaced in place: references stay valid
    await world.flush({ until: 'upToDate' });
    expect(JSON.stringify(await snapshotKith(bob.kith))).toBe(before);
  });

  it('a fresh device of an account is rebuilt from the relay alone', async () => {
    const world = await createMemoryHarness('harness-fresh');
    worlds.push(world);
    const [alice] = [await world.addPeer('alice'), await world.addPeer('bob')];
    const ids = await lookupAll(['alice', 'bob'], (n) => world.peer(n));
    const group = await alice.kith.groups.create({ name: 'G', members: [ids.get('bob')!] });
    await alice.kith.messages.send(group.id, 'hello');
    await world.flush();
    const fresh = await world.addPeer('bob-fresh', { bundleFrom: 'bob' });
    await world.flush({ until: 'upToDate' });
    expect(fresh.kith.user).toBe(world.peer('bob').kith.user);
    expect(JSON.stringify(await snapshotKith(fresh.kith))).toBe(JSON.stringify(await snapshotKith(world.peer('bob').kith)));
  });

  it('frame faults are seeded: the same seed drops, duplicates and reorders the same frames, and nothing is lost', async () => {
    const a = await lossyRun('harness-faults');
    const b = await lossyRun('harness-faults');
    expect(a.texts).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
    expect(a.world.faults.duplicated + a.world.faults.reordered).toBeGreaterThan(0);
    expect(b.world.faults).toEqual(a.world.faults);
    expect(b.texts).toEqual(a.texts);
    console.log(`harness faults (seed harness-faults): ${JSON.stringify(a.world.faults)}, both runs alike`);
  });
});
