import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId } from '@kith/core';
import { type SyncPeer, VOLUME_PERSIST_EVERY } from '@kith/core/testing';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const epochOf = (p: SyncPeer, conv: ConversationId): number | undefined => p.sync.describe().epochs[conv];

async function group(w: InProcessHarness): Promise<{ alice: SyncPeer; bob: SyncPeer; conv: ConversationId }> {
  const alice = await w.addPeer('alice');
  const bob = await w.addPeer('bob');
  await w.flush();
  const b = await alice.sync.lookup('bob');
  if (!b.ok) throw b.error;
  const conv = (await alice.kith.groups.create({ name: 'Volume', members: [b.value] })).id;
  await w.flush();
  return { alice, bob, conv };
}

describe('KEY-6c: an admin rotates a group key after maxMessages feed changes under one epoch', () => {
  it('counts the messages it sealed and opened; every member keeps reading across the rotations', async () => {
    world = await createMemoryHarness('count-rotation', { rotation: { maxMessages: 5, maxAgeMs: 1e12, takeoverMs: 30_000 } });
    const { alice, bob, conv } = await group(world);
    expect(epochOf(alice, conv)).toBe(0);
    // 3 from alice + 2 from bob = 5 under epoch 0 as alice counts them → she rotates to epoch 1.
    for (let i = 0; i < 3; i++) await alice.kith.messages.send(conv, `a${i}`);
    await world.flush();
    for (let i = 0; i < 2; i++) await bob.kith.messages.send(conv, `b${i}`);
    await world.flush();
    expect(epochOf(alice, conv)).toBe(1);
    expect(epochOf(bob, conv)).toBe(1); // bob (not an admin) never rotates, but gets the new key
    // 7 more, alternating: 5 of them under epoch 1 → epoch 2; the other 2 are under epoch 2.
    for (let i = 0; i < 7; i++) {
      await (i % 2 === 0 ? alice : bob).kith.messages.send(conv, `m${i}`);
      await world.flush();
    }
    expect(epochOf(alice, conv)).toBe(2);
    expect(epochOf(bob, conv)).toBe(2);
    const texts = (p: SyncPeer) => p.kith.messages.page(conv, { limit: 50 }).then((page) => page.map((m) => m.text).sort());
    const all = ['a0', 'a1', 'a2', 'b0', 'b1', ...Array.from({ length: 7 }, (_, i) => `m${i}`)].sort();
    expect(await texts(alice)).toEqual(all);
    expect(await texts(bob)).toEqual(all);
    expect(alice.kith.outbox()).toEqual([]);
    expect(bob.kith.outbox()).toEqual([]);
  });

  it('the count survives a restart (persisted every VOLUME_PERSIST_EVERY)', async () => {
    const max = VOLUME_PERSIST_EVERY + 50;
    world = await createMemoryHarness('count-rotation-restart', { rotation: { maxMessages: max, maxAgeMs: 1e12, takeoverMs: 30_000 } });
    const { conv } = await group(world);
    let alice = world.peer('alice');
    const burst = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await alice.kith.messages.send(conv, `x${i}`);
      await world!.flush();
    };
    await burst(VOLUME_PERSIST_EVERY + 20); // persisted at 100; the 20 after are lost with the restart
    alice = await world.restart('alice');
    await world.flush();
    await burst(max - VOLUME_PERSIST_EVERY - 1); // 149 counted: not yet
    expect(epochOf(alice, conv)).toBe(0);
    await burst(1); // 150 counted (170 sent): rotate. Without the persisted count it would be 50.
    expect(epochOf(alice, conv)).toBe(1);
    expect(epochOf(world.peer('bob'), conv)).toBe(1);
  });
});
