import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId, Projection, UserId } from '@kith/core';
import { lookupAll, snapshotConversation, type SyncPeer } from '@kith/core/testing';
import { attachProjection, projectionView } from './projection-views.js';
import { createChildRelayHarness, type ChildRelayHarness } from '../harness/presets.js';

let w: ChildRelayHarness | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const enc = new TextEncoder();
const dec = new TextDecoder();
const NAMES = ['alice', 'bob', 'carol'] as const;

/** A conversation's message texts, or [] while the peer does not know the conversation yet. */
async function texts(p: SyncPeer, conv: ConversationId): Promise<string[]> {
  if (!p.kith.conversations.list().some((c) => c.id === conv)) return [];
  return (await p.kith.messages.page(conv)).map((m) => m.text);
}

const snap = async (p: SyncPeer, conv: ConversationId): Promise<string> => JSON.stringify(await snapshotConversation(p.kith, conv));

describe('e2e: three Node peers (engine + Dexie + sync) through a relay child process (SQLite, WebSockets)', () => {
  it('the whole domain arrives correctly and identically at every peer; a fresh device rebuilt from the relay equals them', async () => {
    const world = (w = await createChildRelayHarness('whole-domain'));
    const [alice, bob, carol] = [await world.addPeer('alice'), await world.addPeer('bob'), await world.addPeer('carol')];
    await lookupAll(NAMES, (n) => world.peer(n));
    const [A, B, C] = [alice.kith.user, bob.kith.user, carol.kith.user];
    const projections = new Map<string, Projection>();
    for (const p of [alice, bob, carol]) projections.set(p.name, await attachProjection(p.kith, p.name));
    await world.flush();

    // Contacts: alice ↔ bob accepted; carol → bob declined; bob blocks carol, then unblocks.
    await alice.kith.contacts.request(B);
    await carol.kith.contacts.request(B);
    await world.until(() => bob.kith.contacts.get(A).status !== 'none' && bob.kith.contacts.get(C).status !== 'none');
    expect(bob.kith.contacts.get(A).status).toBe('incoming');
    expect(bob.kith.contacts.get(C).status).toBe('incoming');
    await bob.kith.contacts.accept(A);
    await bob.kith.contacts.decline(C);
    await world.until(() => alice.kith.contacts.get(B).status !== 'outgoing' && carol.kith.contacts.get(B).status !== 'outgoing');
    expect([alice.kith.contacts.get(B).status, bob.kith.contacts.get(A).status]).toEqual(['accepted', 'accepted']);
    expect([carol.kith.contacts.get(B).status, bob.kith.contacts.get(C).status]).toEqual(['declined', 'declined']);

    const bc = await carol.kith.conversations.openDirect(B);
    const beforeBlock = await carol.kith.messages.send(bc.id, 'hello bob?');
    await world.until(async () => (await texts(bob, bc.id)).length > 0);
    expect((await bob.kith.messages.page(bc.id)).map((m) => m.text)).toEqual(['hello bob?']);
    await bob.kith.contacts.block(C);
    await world.flush();
    expect(bob.kith.contacts.get(C).status).toBe('blocked');
    const whileBlocked = await carol.kith.messages.send(bc.id, 'sent while blocked');
    await world.flush();
    const bobWhileBlocked = (await bob.kith.messages.page(bc.id)).map((m) => m.id);
    expect(bobWhileBlocked).toEqual([beforeBlock.id]);
    await bob.kith.contacts.unblock(C);
    await world.flush();
    expect(bob.kith.contacts.get(C).status).toBe('declined');
    expect((await bob.kith.messages.page(bc.id)).map((m) => m.id)).toEqual([beforeBlock.id]);
    // (what carol sends while blocked is applied but hidden at bob: see the block/unblock test below)

    // 1:1 chat: a reply, an edit, a delete, a reaction, delivered + read receipts.
    const direct = await alice.kith.conversations.openDirect(B);
    const m1 = await alice.kith.messages.send(direct.id, 'hi bob');
    const m2 = await alice.kith.messages.send(direct.id, 'typo');
    await world.flush();
    const r1 = await bob.kith.messages.send(direct.id, { text: 'hi alice', replyTo: m1.id });
    await alice.kith.messages.edit(direct.id, m1.id, 'hi bob!');
    await alice.kith.messages.delete(direct.id, m2.id);
    await bob.kith.messages.react(direct.id, m1.id, '👍');
    await bob.kith.receipts.markRead(direct.id, m2.id);
    await world.flush();
    await alice.kith.receipts.markDelivered(direct.id, r1.id);
    await world.flush();

    // Group with roles: carol promoted, bob promoted then demoted; bob reacts; then bob is removed.
    const group = await alice.kith.groups.create({ name: 'Trip', members: [B, C] });
    await world.flush();
    await alice.kith.groups.setRole(group.id, C, 'admin');
    await alice.kith.groups.setRole(group.id, B, 'admin');
    await world.flush();
    expect(bob.kith.groups.members(group.id).find((m) => m.user === B)?.role).toBe('admin');
    await carol.kith.groups.setRole(group.id, B, 'member');
    const g1 = await carol.kith.messages.send(group.id, 'carol here');
    const g2 = await bob.kith.messages.send(group.id, 'bob here');
    await world.flush();
    await bob.kith.messages.react(group.id, g1.id, '🎉');
    await alice.kith.messages.react(group.id, g2.id, '😂');
    await carol.kith.receipts.markRead(group.id, g2.id);
    await world.flush();
    // Bob is offline when carol removes him; what he sends afterwards is refused everywhere.
    world.setOnline('bob', false);
    await carol.kith.groups.removeMember(group.id, B);
    await world.flush();
    const late = await bob.kith.messages.send(group.id, 'bob after removal (offline)');
    world.setOnline('bob', true);
    await world.until(() => !bob.kith.groups.members(group.id).some((m) => m.user === B), 10).catch(() => undefined);
    // KEY-9: the removal op is sealed under the epoch before it, which bob holds: back online he
    // learns he was removed, and his engine refuses further sends locally (not_a_member).
    const bobStillMember = bob.kith.groups.members(group.id).some((m) => m.user === B);
    expect(bobStillMember).toBe(false);
    const late2 = await bob.kith.messages.send(group.id, 'bob after removal (online)').then(
      () => 'sent',
      (e: unknown) => (e instanceof Error && 'code' in e ? String((e as { code: unknown }).code) : 'threw'),
    );
    expect(late2).toBe('not_a_member');
    const after = await carol.kith.messages.send(group.id, 'after bob left');

    // An attachment: encrypted blob up, down at carol, refused to bob (removed).
    const file = enc.encode('kith attachment '.repeat(8_000));
    const att = await alice.sync.uploadAttachment(group.id, { bytes: file, mime: 'text/plain', name: 'notes.txt' });
    if (!att.ok) throw att.error;
    const withFile = await alice.kith.messages.send(group.id, { text: 'the file', attachments: [att.value] });
    await world.flush();
    const got = await carol.sync.downloadAttachment(group.id, att.value);
    expect(got.ok && dec.decode(got.value) === dec.decode(file)).toBe(true);
    expect((await bob.sync.downloadAttachment(group.id, att.value)).ok).toBe(false);

    // Presence, typing and a call: signaling (ring / accept / hang-up) end to end, and its log.
    const presence: string[] = [];
    const signals: string[] = [];
    bob.sync.onPresence((e) => presence.push(`${e.user}:${e.state}`));
    bob.sync.onSignal((e) => signals.push(`bob<-${e.kind}:${dec.decode(e.payload)}`));
    alice.sync.onSignal((e) => signals.push(`alice<-${e.kind}:${dec.decode(e.payload)}`));
    alice.sync.setPresence('online', [B]);
    expect(alice.sync.signal(B, 'typing', enc.encode(direct.id)).ok).toBe(true);
    await world.until(() => presence.length === 1 && signals.length === 1);
    const call = await alice.kith.calls.start(direct.id, 'voice');
    expect(alice.sync.signal(B, 'ring', enc.encode(call.id)).ok).toBe(true);
    await world.until(() => signals.length === 2 && bob.kith.calls.list(direct.id).length === 1);
    await bob.kith.calls.ring(direct.id, call.id);
    await bob.kith.calls.answer(direct.id, call.id);
    expect(bob.sync.signal(A, 'accept', enc.encode(call.id)).ok).toBe(true);
    await world.until(() => signals.length === 3);
    expect(alice.sync.signal(B, 'hangup', enc.encode(call.id)).ok).toBe(true);
    await alice.kith.calls.end(direct.id, call.id);
    await world.until(() => signals.length === 4);
    expect(presence).toEqual([`${A}:online`]);
    expect(signals).toEqual([`bob<-typing:${direct.id}`, `bob<-ring:${call.id}`, `alice<-accept:${call.id}`, `bob<-hangup:${call.id}`]);

    // After quiescence: engines and projections agree wherever the same people see the same thing.
    await world.flush();
    const convs: Array<[ConversationId, SyncPeer[]]> = [
      [direct.id, [alice, bob]],
      [group.id, [alice, carol]],
    ];
    const counts: string[] = [];
    for (const [conv, members] of convs) {
      const s = await snap(members[0]!, conv);
      for (const p of members.slice(1)) expect(await snap(p, conv), `${p.name} ${conv}`).toBe(s);
      const v = JSON.stringify(await projectionView(projections.get(members[0]!.name)!, conv));
      for (const p of members.slice(1)) expect(JSON.stringify(await projectionView(projections.get(p.name)!, conv)), `projection ${p.name}`).toBe(v);
      const parsed = JSON.parse(s) as { messages: unknown[]; calls: unknown[] };
      expect((JSON.parse(v) as { messages: unknown[] }).messages).toHaveLength(parsed.messages.length);
      counts.push(`${parsed.messages.length} msgs/${parsed.calls.length} calls`);
    }
    // Correctness of what they agree on.
    const dm = await alice.kith.messages.page(direct.id);
    expect(dm.map((m) => [m.text, m.deleted])).toEqual([
      ['hi bob!', false],
      ['', true],
      ['hi alice', false],
    ]);
    expect(dm[2]!.replyTo).toBe(m1.id);
    expect(alice.kith.messages.reactions(direct.id, m1.id).map((r) => [r.user, r.emoji])).toEqual([[B, '👍']]);
    expect(alice.kith.receipts.forMember(direct.id, B).read).toBe(m2.id);
    const [aliceCall] = alice.kith.calls.list(direct.id);
    expect(aliceCall?.status).toBe('completed');
    const gm = (await carol.kith.messages.page(group.id)).map((m) => m.text);
    // carol's and bob's first messages were concurrent (same clock): their order is the ids' order.
    expect([...gm].sort()).toEqual(['after bob left', 'bob here', 'carol here', 'the file']);
    expect(gm.slice(2)).toEqual(['after bob left', 'the file']);
    expect(gm).not.toContain(late.text);
    expect(carol.kith.groups.members(group.id).map((m) => [m.user, m.role]).sort()).toEqual(
      [
        [A, 'admin'],
        [C, 'admin'],
      ].sort(),
    );
    // Bob keeps what he saw before his removal and sees nothing after.
    const bobGroup = (await bob.kith.messages.page(group.id)).map((m) => m.id);
    expect(bobGroup).not.toContain(after.id);
    expect(bobGroup).not.toContain(withFile.id);
    expect(bobGroup).toContain(g1.id);

    // A fresh device of alice's, rebuilt from the relay's stored ciphertext plus her keys alone.
    const fresh = await world.addPeer('alice-fresh', { bundleFrom: 'alice' });
    const freshProjection = await attachProjection(fresh.kith, 'alice-fresh');
    await world.flush();
    for (const [conv] of convs) {
      expect(await snap(fresh, conv), `fresh ${conv}`).toBe(await snap(alice, conv));
      expect(JSON.stringify(await projectionView(freshProjection, conv))).toBe(JSON.stringify(await projectionView(projections.get('alice')!, conv)));
    }
    expect(fresh.kith.contacts.get(B).status).toBe('accepted');

    const users = (u: UserId): string => NAMES.find((n) => world.peer(n).kith.user === u) ?? u;
    console.log(
      `whole-domain (child relay ${world.relay.current().url}): direct ${counts[0]}, group ${counts[1]} identical in engines and projections of ${convs.map(([, ps]) => ps.map((p) => p.name).join('+')).join(', ')}; ` +
        `bob↔carol: ${bobWhileBlocked.length} of 2 shown to bob (the one sent while blocked refused: ${!bobWhileBlocked.includes(whileBlocked.id)}); ` +
        `bob's offline send after removal refused at alice+carol, his online one refused locally (${late2}; bob still lists himself: ${bobStillMember}); attachment ${file.length} B down at carol, refused to bob; presence ${presence.length}, signals ${signals.length}; ` +
        `fresh device equals alice in ${convs.length} conversations; members ${carol.kith.groups.members(group.id).map((m) => `${users(m.user)}:${m.role}`).join(',')}`,
    );
  }, 120_000);
});

describe('e2e: block then unblock (child relay)', () => {
  // Fixed (was a known bug): a feed change whose author is blocked used to be dropped, leaving a
  // hole in the author's chain — after unblock their next update waited for it forever and sync
  // stayed in 'gap'. Now it is applied but hidden on the blocker's device (core/src/engine/
  // hidden-changes.ts): never shown, not even after unblock; what comes after the unblock shows.
  it('after unblock the blocked person’s next messages show, the one sent while blocked never does, and nothing is missing', async () => {
    const world = (w = await createChildRelayHarness('block-unblock'));
    const [bob, carol] = [await world.addPeer('bob'), await world.addPeer('carol')];
    await lookupAll(['bob', 'carol'], (n) => world.peer(n));
    const bc = await carol.kith.conversations.openDirect(bob.kith.user);
    await carol.kith.messages.send(bc.id, 'before');
    await world.until(async () => (await texts(bob, bc.id)).length === 1);
    await bob.kith.contacts.block(carol.kith.user);
    await world.flush();
    const hiddenBefore = bob.kith.stats().rejected;
    await carol.kith.messages.send(bc.id, 'while blocked');
    await world.until(() => bob.kith.stats().rejected === hiddenBefore + 1); // accepted, hidden
    expect(bob.sync.stats.refused).toBe(0);
    expect((await bob.kith.messages.page(bc.id)).map((m) => m.text)).toEqual(['before']);
    await bob.kith.contacts.unblock(carol.kith.user);
    await world.flush();
    expect((await bob.kith.messages.page(bc.id)).map((m) => m.text)).toEqual(['before']);
    const next = await carol.kith.messages.send(bc.id, 'after unblock');
    await world.until(async () => (await texts(bob, bc.id)).includes(next.text) && bob.sync.quiet());
    const shown = (await bob.kith.messages.page(bc.id)).map((m) => m.text);
    console.log(`block-unblock: bob shows [${shown.join(', ')}], state ${bob.sync.state}, gaps ${JSON.stringify(bob.kith.gaps().map((g) => g.missing))}`);
    expect(shown).toEqual(['before', 'after unblock']);
    expect(bob.sync.state).toBe('upToDate');
    expect(bob.kith.gaps().map((g) => g.missing)).toEqual([]);
    expect((await carol.kith.messages.page(bc.id)).map((m) => m.text)).toEqual(['before', 'while blocked', 'after unblock']);
  }, 60_000);
});
