import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('sync: end to end through the in-process relay', () => {
  it('a group message from alice is decrypted by bob (SYNC-1..5)', async () => {
    world = await createMemoryHarness('group-message');
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    await world.flush();
    const bobId = await alice.sync.lookup('bob');
    expect(bobId.ok).toBe(true);
    if (!bobId.ok) return;
    const group = await alice.kith.groups.create({ name: 'Trip', members: [bobId.value] });
    const sent = await alice.kith.messages.send(group.id, 'hello bob');
    const rounds = await world.flush();
    const page = await bob.kith.messages.page(group.id);
    console.log(`group-message: rounds=${rounds} bob sees ${page.length} message(s); alice stats ${JSON.stringify(alice.sync.stats)} bob stats ${JSON.stringify(bob.sync.stats)}`);
    expect(page.map((m) => m.text)).toEqual(['hello bob']);
    expect(page[0]?.id).toBe(sent.id);
    expect(alice.kith.outbox()).toEqual([]);
    expect(alice.sync.state).toBe('upToDate');
  });
});
