import { afterEach, describe, expect, it } from 'vitest';
import { type DeviceId, parseDocId, type UserId } from '@kith/core';
import { MAX_UNCREATED_GROUPS } from '@kith/core/testing';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const uuid = (b: Uint8Array): string => {
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

describe('M1: a transient engine refusal is not a permanent loss (SYNC-2)', () => {
  it('M1: the engine answers rate_limited (full of unknown groups); the envelope is deferred, not recorded, and applies once the engine is free', async () => {
    world = await createMemoryHarness('m1-engine-refusal');
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    const bobId = await alice.sync.lookup('bob');
    if (!bobId.ok) throw bobId.error;
    await world.flush();

    // Fill bob's engine: membership logs of strangers' groups that never saw a `create`
    // (in memory only: refused ops are not persisted) up to MAX_UNCREATED_GROUPS.
    const rnd = world.random.fork('strangers');
    const stranger = uuid(rnd.bytes(16)) as UserId;
    const device = uuid(rnd.bytes(16)) as DeviceId;
    let full = false;
    for (let i = 0; i <= MAX_UNCREATED_GROUPS && !full; i++) {
      const r = bob.kith.receive({ doc: parseDocId(`members:${uuid(rnd.bytes(16))}`), kind: 'member', author: stranger, device, counter: 1, payload: new Uint8Array([1, 2, 3]) });
      full = !r.ok && r.error.code === 'rate_limited';
    }
    expect(full).toBe(true);

    const group = await alice.kith.groups.create({ name: 'G', members: [bobId.value] });
    const hello = await alice.kith.messages.send(group.id, 'hello G');
    await world.flush();
    const deferred = bob.sync.stats.deferred;
    expect(deferred).toBeGreaterThanOrEqual(1);
    expect(bob.kith.conversations.list().some((c) => c.id === group.id)).toBe(false);

    // Free the engine (a restart forgets the unknown groups: nothing of them was stored) and
    // let the client pull again from its cursor, which stayed before the deferred envelope.
    const restarted = await world.restart('bob');
    await world.flush();
    const info = restarted.kith.groups.get(group.id);
    expect(info.members.length).toBe(2);
    expect((await restarted.kith.messages.page(group.id)).some((m) => m.id === hello.id)).toBe(true);
    console.log(`M1: engine full (${MAX_UNCREATED_GROUPS} unknown groups) → ${deferred} envelope(s) deferred, counter not recorded; after freeing it and re-pulling: group with ${info.members.length} members and its message applied`);
  });
});
