import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope, envelopeLastCounter } from '@kith/core';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';
import { groupOfTwo } from '../harness/group-of-two.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Versions and counter ranges of the envelopes the relay stored for `doc`. */
async function stored(w: InProcessHarness, doc: string): Promise<Array<{ version: number; from: number; to: number }>> {
  const out: Array<{ version: number; from: number; to: number }> = [];
  for (const e of await w.relay.store.docs.read(doc, 0, 100_000)) {
    const d = decodeEnvelope(e.bytes);
    if (!d.ok) throw d.error;
    out.push({ version: d.value.version, from: d.value.counter, to: envelopeLastCounter(d.value) });
  }
  return out;
}

describe('batched envelopes end to end: seal → relay → receive (BATCH-9)', () => {
  it('BATCH-9 a burst of 500 messages.send calls leaves in far fewer envelopes; the peer shows all 500, in order', async () => {
    world = await createMemoryHarness('batch-burst');
    const { alice, bob, group } = await groupOfTwo(world);
    const feed = `feed:${group.id}:${alice.identity.userId}:0`;
    const before = (await stored(world, feed)).length;
    const pushedBefore = alice.sync.stats.pushed;

    const texts = Array.from({ length: 500 }, (_, i) => `burst ${i}`);
    for (const t of texts) await alice.kith.messages.send(group.id, t); // each its own call
    await world.flush();

    const ranges = (await stored(world, feed)).slice(before);
    const envelopes = ranges.length;
    const changes = ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
    expect(changes).toBe(500);
    // Counters are covered exactly once, in order, without holes.
    ranges.forEach((r, i) => {
      if (i > 0) expect(r.from).toBe(ranges[i - 1]!.to + 1);
      expect(r.version).toBe(r.to > r.from ? 2 : 1);
    });
    expect(envelopes).toBeLessThan(50);
    expect(alice.sync.stats.pushed - pushedBefore).toBeLessThan(60); // the group's feed plus a few grants at most
    const shown = (await bob.kith.messages.page(group.id, { limit: 500 })).map((m) => m.text);
    expect(shown.filter((t) => t?.startsWith('burst '))).toEqual(texts);
    expect(bob.sync.stats.envelopes).toBeLessThan(60);

    // Idle again: a lone message leaves at once, alone, as a version 1 envelope.
    await alice.kith.messages.send(group.id, 'alone');
    await world.flush();
    const last = (await stored(world, feed)).at(-1)!;
    expect(last).toEqual({ version: 1, from: 501, to: 501 });
    expect((await bob.kith.messages.page(group.id, { limit: 1 })).map((m) => m.text)).toEqual(['alone']);
    console.log(`BATCH-9 burst: 500 sends → ${envelopes} envelopes at the relay (${((envelopes / 500) * 1000).toFixed(0)} per 1,000 messages, largest range ${Math.max(...ranges.map((r) => r.to - r.from + 1))}); bob opened ${bob.sync.stats.envelopes} envelopes and shows all 500 in order`);
  }, 120_000);
});
