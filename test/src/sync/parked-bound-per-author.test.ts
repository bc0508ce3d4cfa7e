import { afterEach, describe, expect, it } from 'vitest';
import { parseDocId } from '@kith/core';
import { deviceIdToBytes, login, MAX_PARKED_PER_AUTHOR, signEnvelope } from '@kith/core/testing';
import { openTestSocket, settle } from '@kith/relay/testing';
import { encodeBase64 as toBase64 } from '@kith/core/protocol';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('H3: the parked queue is bounded per (doc, author)', () => {
  it('H3: 100 junk envelopes from a non-member into members:<conv> park at most 64; the rest are dropped', async () => {
    world = await createMemoryHarness('h3');
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    const mallory = await world.addPeer('mallory');
    const bobId = await alice.sync.lookup('bob');
    if (!bobId.ok) throw bobId.error;
    const group = await alice.kith.groups.create({ name: 'G', members: [bobId.value] });
    await world.flush();
    const token = await login(world.relay.fetch, mallory.identity);
    if (!token.ok) throw token.error;
    const socket = openTestSocket(world.relay.current().relay);
    socket.send({ v: 1, t: 'auth', id: 1, token: token.value });
    await settle(world.relay.current().relay);
    const doc = parseDocId(`members:${group.id}`);
    for (let counter = 1; counter <= 100; counter++) {
      const header = { version: 1, kind: 'member' as const, doc, epoch: 0, author: mallory.identity.public.signingKey, device: deviceIdToBytes(mallory.identity.device), counter };
      socket.send({ v: 1, t: 'push', id: counter + 1, env: toBase64(signEnvelope(mallory.identity, header, new Uint8Array(24).fill(counter), new Uint8Array(48).fill(7))) });
    }
    await settle(world.relay.current().relay);
    socket.close();
    await world.flush();
    const parked = bob.sync.describe().parked;
    console.log(`H3: bob parked ${parked} (cap ${MAX_PARKED_PER_AUTHOR}), rejected ${bob.sync.stats.rejected}`);
    expect(parked).toBeLessThanOrEqual(MAX_PARKED_PER_AUTHOR);
    expect(bob.sync.stats.rejected).toBeGreaterThanOrEqual(100 - MAX_PARKED_PER_AUTHOR);
  });
});
