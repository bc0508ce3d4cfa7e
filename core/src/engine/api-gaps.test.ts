import { describe, expect, it } from 'vitest';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { parseConversationEntry } from '../model/conversation-state.js';
import { createPeerHarness } from '../testing/peer-harness.js';

/**
 * ADR 0008 § Engine gaps 2: what the public API now tells beyond the seed's first version —
 * reaction times, receipts per device, both stances of a contact, a conversation's creation time.
 */
describe('engine API: times, devices, stances', () => {
  const setup = () =>
    createPeerHarness({
      backend: createYjsBackend(),
      seed: 'api-gaps',
      peers: ['alice', { name: 'alice-phone', sameUserAs: 'alice' }, 'bob', 'carol'],
    });

  it('a reaction carries when it was made (its HLC time), the same at every peer', async () => {
    const h = await setup();
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const direct = await alice.conversations.openDirect(h.user('bob'));
    const m = await alice.messages.send(direct.id, 'hi');
    await h.flush();
    h.clock.advance(5_000);
    const before = h.clock.now();
    await bob.messages.react(direct.id, m.id, '🎉');
    await h.flush();
    const [mine] = bob.messages.reactions(direct.id, m.id);
    const [theirs] = alice.messages.reactions(direct.id, m.id);
    expect(mine?.reactedAt).toBeGreaterThanOrEqual(before);
    expect(mine?.reactedAt).toBeLessThan(before + 1_000);
    expect(theirs).toEqual(mine);
    console.log(`[api-gaps] reaction at +${(mine?.reactedAt ?? 0) - before} ms after the clock read`);
    await h.close();
  });

  it('receipts per device: two devices of one member, each with its own watermark; their merge is the member watermark', async () => {
    const h = await setup();
    const bob = h.peer('bob');
    const laptop = h.peer('alice');
    const phone = h.peer('alice-phone');
    const direct = await bob.conversations.openDirect(h.user('alice'));
    const m1 = await bob.messages.send(direct.id, 'one');
    const m2 = await bob.messages.send(direct.id, 'two');
    await h.flush();
    await laptop.receipts.markDelivered(direct.id, m2.id);
    await phone.receipts.markRead(direct.id, m1.id);
    await h.flush();
    const devices = bob.receipts.forDevices(direct.id, h.user('alice'));
    const want = [
      { device: h.peers.get('alice')!.device, delivered: m2.id, read: null },
      { device: h.peers.get('alice-phone')!.device, delivered: m1.id, read: m1.id },
    ].sort((a, b) => (a.device < b.device ? -1 : 1));
    expect(devices).toEqual(want);
    expect(bob.receipts.forMember(direct.id, h.user('alice'))).toEqual({ delivered: m2.id, read: m1.id });
    expect(bob.receipts.forDevices(direct.id, h.user('carol'))).toEqual([]);
    console.log(`[api-gaps] per-device receipts: ${devices.length} devices`);
    await h.close();
  });

  it('contacts carry both stances with their times, directional, and the time of my block', async () => {
    const h = await setup();
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const B = h.user('bob');
    const A = h.user('alice');
    const asked = h.clock.now();
    await alice.contacts.request(B);
    await h.flush();
    expect(alice.contacts.get(B)).toMatchObject({ status: 'outgoing', mine: { state: 'requested', at: asked }, theirs: null });
    expect(bob.contacts.get(A)).toMatchObject({ status: 'incoming', mine: null, theirs: { state: 'requested', at: asked } });
    h.clock.advance(10);
    await bob.contacts.decline(A);
    await h.flush();
    expect(alice.contacts.get(B)).toMatchObject({ status: 'declined', theirs: { state: 'declined', at: asked + 10 } });
    expect(bob.contacts.get(A)).toMatchObject({ status: 'declined', mine: { state: 'declined' }, blocked: false, blockedAt: null });
    h.clock.advance(10);
    await bob.contacts.block(A);
    await h.flush();
    expect(bob.contacts.get(A)).toMatchObject({ status: 'blocked', blocked: true, blockedAt: asked + 20, mine: { state: 'declined' } });
    // A block is private: alice's view does not change.
    expect(alice.contacts.get(B)).toMatchObject({ status: 'declined', blocked: false, blockedAt: null });
    await h.close();
  });

  it('a conversation knows when it was created: a group its create op, a direct chat when I opened it', async () => {
    const h = await setup();
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    h.clock.advance(1_000);
    const created = h.clock.now();
    const g = await alice.groups.create({ name: 'g', members: [h.user('bob')] });
    h.clock.advance(1_000);
    const opened = h.clock.now();
    const direct = await alice.conversations.openDirect(h.user('bob'));
    await alice.messages.send(direct.id, 'hi');
    await h.flush();
    expect(alice.conversations.get(g.id).createdAt).toBe(created);
    expect(bob.conversations.get(g.id).createdAt).toBe(created);
    expect(alice.conversations.get(direct.id).createdAt).toBe(opened);
    // alice's other device reads the same (private) account document.
    expect(h.peer('alice-phone').conversations.get(direct.id).createdAt).toBe(opened);
    // bob only learned of it from alice's message: not opened by him.
    expect(bob.conversations.get(direct.id).createdAt).toBeNull();
    await h.close();
  });

  it('reads `convs` entries written before `at` existed (no time) and ignores a malformed time', () => {
    const peer = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    expect(parseConversationEntry({ kind: 'direct', peer })).toEqual({ kind: 'direct', peer, at: null });
    expect(parseConversationEntry({ kind: 'direct', peer, at: -1 })).toEqual({ kind: 'direct', peer, at: null });
    expect(parseConversationEntry({ kind: 'direct', peer, at: 5 })).toEqual({ kind: 'direct', peer, at: 5 });
  });
});
