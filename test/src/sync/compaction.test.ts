import { afterEach, describe, expect, it } from 'vitest';
import { feedDocId, type ConversationId } from '@kith/core';
import { lookupAll, snapshotKith, type SyncHarness } from '@kith/core/testing';
import { createMemoryHarness } from '../harness/presets.js';
import type { InProcessRelay } from '../harness/relay-host.js';

let worlds: Array<SyncHarness<InProcessRelay>> = [];
afterEach(async () => {
  for (const w of worlds) await w.close();
  worlds = [];
});

const CHUNK = 10;

/** Entries the relay holds for each of `author`'s chunks 0..n-1 (what a fresh device downloads). */
async function storedPerChunk(world: SyncHarness<InProcessRelay>, conversation: ConversationId, author: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await world.relay.store.docs.read(feedDocId(conversation, author as never, i), 0, 10_000)).length);
  return out;
}

describe('ciphertext compaction over the relay (ADR 0022)', () => {
  it('SNAP-4 SNAP-5: closed chunks are compacted at the relay; a fresh device downloads a handful of objects and shows the same messages', async () => {
    const world = await createMemoryHarness('compaction-fresh', { chunkMessages: CHUNK });
    worlds.push(world);
    const [alice, bob] = [await world.addPeer('alice'), await world.addPeer('bob')];
    const ids = await lookupAll(['alice', 'bob'], (n) => world.peer(n));
    const group = await alice.kith.groups.create({ name: 'G', members: [ids.get('bob')!] });
    await world.flush();
    const total = 3 * CHUNK + 4;
    for (let i = 0; i < total; i++) {
      await alice.kith.messages.send(group.id, `m${i}`);
      if (i % 7 === 6) await world.flush(); // the chunks close while messages flow
    }
    await world.flush({ until: 'upToDate' });
    // An edit of a message of compacted chunk 0 after its snapshot, and a reaction from bob.
    const first = (await alice.kith.messages.page(group.id, { limit: 500 }))[0]!;
    await alice.kith.messages.edit(group.id, first.id, 'm0 edited');
    await bob.kith.messages.react(group.id, first.id, '👍');
    await world.flush({ until: 'upToDate' });

    const stored = await storedPerChunk(world, group.id, ids.get('alice')!, 4);
    console.log(`[SNAP-4] relay entries per chunk of alice (${CHUNK} messages each): ${stored.join(', ')}`);
    // Closed chunks: a snapshot plus at most the few entries after the cursor it superseded (and the edit).
    for (const n of stored.slice(0, 3)) expect(n).toBeLessThanOrEqual(4);
    // The open chunk is not compacted: its 4 messages are still there, in ≤ 4 entries (messages
    // queued behind a push in flight leave as one range, BATCH-9).
    expect(stored[3]).toBeGreaterThanOrEqual(1);
    expect(stored[3]).toBeLessThanOrEqual(4);
    expect(stored.reduce((a, b) => a + b, 0)).toBeLessThan(total / 2);

    const fresh = await world.addPeer('bob-fresh', { bundleFrom: 'bob' });
    await world.flush({ until: 'upToDate' });
    const texts = (k: typeof alice.kith) => k.messages.page(group.id, { limit: 500 }).then((m) => m.map((x) => x.text));
    const want = await texts(alice.kith);
    expect(want).toHaveLength(total);
    expect(want[0]).toBe('m0 edited');
    expect(await texts(fresh.kith)).toEqual(want);
    expect(await texts(bob.kith)).toEqual(want);
    expect(JSON.stringify(await snapshotKith(fresh.kith))).toBe(JSON.stringify(await snapshotKith(bob.kith)));
    expect(fresh.kith.gaps()).toEqual([]);
    console.log(`[SNAP-5] fresh device: ${fresh.sync.stats.received} envelopes applied for ${total} messages; state ${fresh.sync.state}`);
    expect(fresh.sync.stats.received).toBeLessThan(total / 2);
    expect(fresh.sync.state).toBe('upToDate');
  });
});
