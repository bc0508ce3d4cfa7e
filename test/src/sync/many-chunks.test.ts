import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('feeds longer than ten chunks (chunk ids are hex)', () => {
  it('a live peer and a device that was offline both follow an author past chunk 9 (“a”, “b”, …)', async () => {
    // 2 messages per chunk: 25 messages fill chunks 0…c. Before the fix the reader subscribed
    // "feed:…:10" (chunk 16) after chunk 9 and never saw chunk "a": 20 of 25 shown — the same
    // as 10,000 of a real 1,000-per-chunk feed.
    world = await createMemoryHarness('many-chunks', { chunkMessages: 2 });
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    await world.flush();
    const b = await alice.sync.lookup('bob');
    if (!b.ok) throw b.error;
    const conv = (await alice.kith.conversations.openDirect(b.value)).id;
    const texts = Array.from({ length: 25 }, (_, i) => `m${i}`);
    for (const t of texts.slice(0, 12)) await alice.kith.messages.send(conv, t);
    await world.flush();
    await bob.sync.stop(); // offline for the rest
    for (const t of texts.slice(12)) await alice.kith.messages.send(conv, t);
    await world.flush();
    bob.sync.start();
    await world.flush();
    const shown = (await bob.kith.messages.page(conv, { limit: 100 })).map((m) => m.text);
    expect(shown).toEqual(texts);
    expect(Object.keys(bob.sync.describe().cursors).filter((d) => d.startsWith(`feed:${conv}:${alice.identity.userId}:`)).length).toBe(13);
  });
});
