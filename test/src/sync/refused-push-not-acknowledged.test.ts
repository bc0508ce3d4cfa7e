import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '@kith/core';
import { login, signEnvelope } from '@kith/core/testing';
import { openTestSocket, settle } from '@kith/relay/testing';
import { encodeBase64 as toBase64 } from '@kith/core/protocol';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';
import { groupOfTwo } from '../harness/group-of-two.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('H1: a refused push is never taken as an acknowledgement (SYNC-12)', () => {
  it('H1: equivocation is checked against what the relay stored: other bytes → conflict, change kept; stop/start resubscribes', async () => {
    world = await createMemoryHarness('h1');
    const { alice, bob, group } = await groupOfTwo(world);
    await alice.sync.stop();
    await alice.kith.messages.send(group.id, 'one');
    await alice.kith.idle();
    const rows = await alice.storage.listMeta('sync/push/feed:');
    expect(rows.length).toBe(1);
    const mine = decodeEnvelope(rows[0]![1] as Uint8Array);
    if (!mine.ok) throw mine.error;
    // Someone holding the same counter with different bytes got there first (a re-seal, or a clone).
    const other = signEnvelope(alice.identity, mine.value, mine.value.nonce, mine.value.body.map((b, i) => (i === 0 ? b ^ 1 : b)));
    const token = await login(world.relay.fetch, alice.identity);
    if (!token.ok) throw token.error;
    const socket = openTestSocket(world.relay.current().relay);
    socket.send({ v: 1, t: 'auth', id: 1, token: token.value });
    await settle(world.relay.current().relay);
    socket.send({ v: 1, t: 'push', id: 2, env: toBase64(other) });
    await settle(world.relay.current().relay);
    socket.close();
    alice.sync.start();
    await world.flush();
    expect(alice.sync.stats.conflicts).toBe(1);
    expect(alice.kith.outbox().length).toBe(1); // not silently acknowledged
    // stop → start re-subscribed: a message from bob still reaches alice.
    await bob.kith.messages.send(group.id, 'from bob');
    await world.flush();
    const texts = (await alice.kith.messages.page(group.id)).map((m) => m.text);
    expect(texts).toContain('from bob');
    console.log(`H1: conflicts=${alice.sync.stats.conflicts}, alice outbox kept ${alice.kith.outbox().length}; after stop/start alice got bob's message`);
  });
});
