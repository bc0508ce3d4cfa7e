import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId } from '@kith/core';
import { snapshotConversation, type SyncPeer } from '@kith/core/testing';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';
import { lookupAll } from '@kith/core/testing';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const enc = new TextEncoder();

async function same(peers: SyncPeer[], conv: ConversationId): Promise<string> {
  const snaps = await Promise.all(peers.map(async (p) => JSON.stringify(await snapshotConversation(p.kith, conv))));
  for (const s of snaps) expect(s).toBe(snaps[0]);
  return snaps[0]!;
}

describe('sync: the whole domain between three peers through the in-process relay', () => {
  it('contacts, 1:1, group with roles, removal, edits, deletes, reactions, receipts, attachment, presence, typing, calls', async () => {
    const w = (world = await createMemoryHarness('domain-e2e'));
    const [alice, bob, carol] = [await world.addPeer('alice'), await world.addPeer('bob'), await world.addPeer('carol')];
    const ids = await lookupAll(['alice', 'bob', 'carol'], (n) => w.peer(n));
    const B = ids.get('bob')!;
    const C = ids.get('carol')!;
    const A = ids.get('alice')!;
    await world.flush();

    // Contacts: alice asks bob, bob accepts.
    await alice.kith.contacts.request(B);
    await world.flush();
    expect(bob.kith.contacts.get(A).status).not.toBe('none');
    await bob.kith.contacts.accept(A);
    await world.flush();
    expect(alice.kith.contacts.get(B).status).toBe(bob.kith.contacts.get(A).status);

    // 1:1 chat with an edit, a delete, a reaction and a read receipt.
    const direct = await alice.kith.conversations.openDirect(B);
    const m1 = await alice.kith.messages.send(direct.id, 'hi bob');
    const m2 = await alice.kith.messages.send(direct.id, 'typo');
    await world.flush();
    await alice.kith.messages.edit(direct.id, m1.id, 'hi bob!');
    await alice.kith.messages.delete(direct.id, m2.id);
    await bob.kith.messages.react(direct.id, m1.id, '👍');
    await bob.kith.receipts.markRead(direct.id, m1.id);
    await world.flush();
    const d = await same([alice, bob], direct.id);

    // Group with roles; carol promoted, then bob removed: he decrypts nothing after.
    const group = await alice.kith.groups.create({ name: 'Trip', members: [B, C] });
    await world.flush();
    await alice.kith.groups.setRole(group.id, C, 'admin');
    const g1 = await carol.kith.messages.send(group.id, 'carol here');
    await world.flush();
    await bob.kith.messages.react(group.id, g1.id, '🎉');
    await world.flush();
    await alice.kith.groups.removeMember(group.id, B);
    await world.flush();
    const bobRefusedBefore = bob.sync.stats.parked + bob.sync.stats.rejected;
    const after = await carol.kith.messages.send(group.id, 'after bob left');
    const file = enc.encode('x'.repeat(150_000));
    const att = await alice.sync.uploadAttachment(group.id, { bytes: file, mime: 'text/plain', name: 'notes.txt' });
    expect(att.ok).toBe(true);
    if (!att.ok) return;
    const withFile = await alice.kith.messages.send(group.id, { text: 'the file', attachments: [att.value] });
    await world.flush();
    const g = await same([alice, carol], group.id);
    const bobPage = await bob.kith.messages.page(group.id);
    expect(bobPage.some((m) => m.id === after.id || m.id === withFile.id)).toBe(false);
    // SYNC-24: bob left, so the group's read token rotated: the relay sends him nothing more
    // (before, he kept receiving the group's ciphertext and parked or refused it).
    expect(bob.sync.stats.parked + bob.sync.stats.rejected).toBe(bobRefusedBefore);
    const got = await carol.sync.downloadAttachment(group.id, att.value);
    expect(got.ok && got.value.length === file.length).toBe(true);
    const bobFile = await bob.sync.downloadAttachment(group.id, att.value);
    expect(bobFile.ok).toBe(false);

    // Presence, typing and a call's signaling (end-to-end encrypted signals) and its log.
    const presence: string[] = [];
    bob.sync.onPresence((e) => presence.push(`${e.user}:${e.state}`));
    const signals: string[] = [];
    bob.sync.onSignal((e) => signals.push(`${e.kind}:${new TextDecoder().decode(e.payload)}`));
    alice.sync.setPresence('online', [B]);
    expect(alice.sync.signal(B, 'typing', enc.encode(direct.id)).ok).toBe(true);
    const call = await alice.kith.calls.start(direct.id, 'voice');
    expect(alice.sync.signal(B, 'offer', enc.encode('sdp-offer')).ok).toBe(true);
    await world.flush();
    await bob.kith.calls.answer(direct.id, call.id);
    await world.flush();
    await alice.kith.calls.end(direct.id, call.id);
    await world.flush();
    expect(presence).toEqual([`${A}:online`]);
    expect(signals).toEqual([`typing:${direct.id}`, 'offer:sdp-offer']);
    const d2 = await same([alice, bob], direct.id);
    const count = (text: string, key: 'messages' | 'calls'): number => (JSON.parse(text) as Record<typeof key, unknown[]>)[key].length;
    console.log(
      `domain-e2e: direct ${count(d, 'messages')}→${count(d2, 'messages')} msgs/${count(d2, 'calls')} call, group ${count(g, 'messages')} msgs identical at alice+carol; bob parked/rejected after removal ${bob.sync.stats.parked + bob.sync.stats.rejected - bobRefusedBefore}; attachment ${file.length} B; signals ${signals.length}`,
    );
  });
});
