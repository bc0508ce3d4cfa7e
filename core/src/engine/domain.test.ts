import { describe, expect, it } from 'vitest';
import type { DocChange } from '../protocol/doc-change.js';
import type { MessageId } from '../ids.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { expectKithError, snapshotKith } from '../testing/domain-snapshot.js';

const yjs = createYjsBackend();

describe('messages: chunks, pagination, restart', () => {
  it('pages newest-first across authors and chunks by keyset, and survives a lazy restart', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'paging', peers: ['alice', 'bob'], chunkMessages: 10 });
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
    await bob.conversations.openDirect(h.user('alice'));
    const sent: string[] = [];
    for (let i = 0; i < 45; i++) {
      h.clock.advance(1);
      const who = i % 3 === 0 ? bob : alice;
      if (who === bob) await h.flush();
      sent.push((await who.messages.send(conv, `m${i}`)).text);
    }
    await h.flush();
    const all: string[] = [];
    let before: MessageId | undefined;
    for (;;) {
      const page = await alice.messages.page(conv, before === undefined ? { limit: 7 } : { before, limit: 7 });
      all.unshift(...page.map((m) => m.text));
      if (page.length < 7) break;
      before = page[0]!.id;
    }
    expect(all).toEqual(sent);
    const snapshot = await snapshotKith(alice);
    const restarted = await h.restart('alice');
    // Lazy: only the newest chunk per author is loaded, yet the latest page is right …
    expect((await restarted.messages.page(conv, { limit: 5 })).map((m) => m.text)).toEqual(sent.slice(-5));
    // … and older chunks load on demand.
    expect(await snapshotKith(restarted)).toEqual(snapshot);
  });

  it('a cold start restores a chunk from its snapshot plus the changes after it', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'snapshot', peers: ['alice', 'bob'] });
    const alice = h.peer('alice');
    const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
    for (let i = 0; i < 300; i++) {
      if (i % 7 === 0) h.clock.advance(1);
      await alice.messages.send(conv, `n${i}`);
    }
    await alice.idle();
    const stored = [...h.peers.get('alice')!.database.docs.entries()].find(([id]) => id.startsWith('feed:'))![1];
    expect(stored.snapshot).not.toBeNull();
    const before = await alice.messages.page(conv, { limit: 500 });
    const restarted = await h.restart('alice');
    expect(await restarted.messages.page(conv, { limit: 500 })).toEqual(before);
    const next = await restarted.messages.send(conv, 'after restart');
    expect(next.id > before[before.length - 1]!.id).toBe(true); // the HLC resumed past the snapshot
    await h.flush();
    expect(await h.peer('bob').messages.page(conv, { limit: 500 })).toHaveLength(301);
  });

  it('edits and deletes go to the chunk holding the message; a tombstone wins over a concurrent edit', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'tombstone', peers: ['alice', { name: 'alice2', sameUserAs: 'alice' }, 'bob'], chunkMessages: 2 });
    const alice = h.peer('alice');
    const g = await alice.groups.create({ name: 'g', members: [h.user('bob')] });
    const first = await alice.messages.send(g.id, 'first');
    await alice.messages.send(g.id, 'second');
    await alice.messages.send(g.id, 'third (chunk 1)');
    await h.flush();
    const edited = await alice.messages.edit(g.id, first.id, 'first, edited');
    expect(edited.editedAt).not.toBeNull();
    await h.flush();
    // Concurrent: alice2 edits while alice deletes (no delivery in between).
    await h.peer('alice2').messages.edit(g.id, first.id, 'edited again');
    await alice.messages.delete(g.id, first.id);
    await h.flush();
    for (const name of ['alice', 'alice2', 'bob']) {
      const m = await h.peer(name).messages.get(g.id, first.id);
      expect(m).toMatchObject({ deleted: true, text: '' });
    }
    await expectKithError('message_deleted', () => h.peer('alice2').messages.edit(g.id, first.id, 'zombie'));
  });
});

describe('regressions', () => {
  it('my own device\'s direct messages, held until the direct conversation is known, apply when the peer\'s message reveals it', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'held-own-direct', peers: ['alice', { name: 'alice2', sameUserAs: 'alice' }, 'bob'] });
    const conv = (await h.peer('alice').conversations.openDirect(h.user('bob'))).id;
    await h.peer('bob').conversations.openDirect(h.user('alice'));
    await h.peer('alice').messages.send(conv, 'from alice');
    h.clock.advance(1);
    await h.peer('bob').messages.send(conv, 'from bob');
    const feed = (author: string) => h.hub.changes(`feed:${conv}:${h.user(author)}`);
    await h.flush();
    // Replay into a fresh device of alice (same seed: same users) in the worst order: her own
    // feed first (conversation unknown: held), then bob's (reveals it); never her account doc.
    const observer = await createPeerHarness({ backend: yjs, seed: 'held-own-direct', peers: ['alice', { name: 'alice2', sameUserAs: 'alice' }, 'bob'] });
    const target = observer.peer('alice2');
    for (const c of feed('alice')) expect(target.receive(c)).toMatchObject({ ok: true, value: 'pending' });
    for (const c of feed('bob')) target.receive(c);
    expect((await target.messages.page(conv)).map((m) => m.text)).toEqual(['from alice', 'from bob']);
  });
});

describe('groups and membership', () => {
  it('changes a removed member made after the cutoff do not count anywhere', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'cutoff', peers: ['alice', 'bob', 'carol'] });
    const alice = h.peer('alice');
    const g = await alice.groups.create({ name: 'g', members: [h.user('bob'), h.user('carol')] });
    await h.flush();
    await h.peer('carol').messages.send(g.id, 'before removal');
    await h.flush();
    // carol keeps writing while the removal travels
    await alice.groups.removeMember(g.id, h.user('carol'));
    await h.peer('carol').messages.send(g.id, 'after removal');
    await h.flush();
    for (const name of ['alice', 'bob']) {
      expect((await h.peer(name).messages.page(g.id)).map((m) => m.text)).toEqual(['before removal']);
    }
    expect(h.peer('bob').stats().held).toBeGreaterThan(0);
    expect(h.peer('carol').groups.members(g.id).map((m) => m.user)).not.toContain(h.user('carol'));
    await expectKithError('not_a_member', () => h.peer('carol').messages.send(g.id, 'again'));
    // re-added: carol writes again
    await alice.groups.addMember(g.id, h.user('carol'));
    await h.flush();
    await h.peer('carol').messages.send(g.id, 'back');
    await h.flush();
    expect((await h.peer('bob').messages.page(g.id)).map((m) => m.text)).toContain('back');
  });

  it('roles, info updates, leaving, and last-admin succession', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'roles', peers: ['alice', 'bob', 'carol'] });
    const alice = h.peer('alice');
    const g = await alice.groups.create({ name: 'g', description: 'd', members: [h.user('bob'), h.user('carol')] });
    await alice.groups.update(g.id, { name: 'renamed', icon: 'blob:1' });
    await alice.groups.setRole(g.id, h.user('bob'), 'admin');
    await h.flush();
    expect(h.peer('carol').groups.get(g.id)).toMatchObject({ name: 'renamed', icon: 'blob:1', creator: h.user('alice') });
    expect(h.peer('carol').groups.members(g.id).find((m) => m.user === h.user('bob'))?.role).toBe('admin');
    await alice.groups.leave(g.id);
    await h.flush();
    expect(h.peer('bob').groups.members(g.id).map((m) => m.user).sort()).toEqual([h.user('bob'), h.user('carol')].sort());
    expect(h.peer('bob').groups.get(g.id).former.map((m) => m.user)).toEqual([h.user('alice')]);
    await expectKithError('not_a_member', () => alice.messages.send(g.id, 'gone'));
  });
});

describe('receipts, reactions, calls, contacts, profiles, conversation state, events', () => {
  it('receipts never move backwards and carry across chunks', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'receipts', peers: ['alice', 'bob'], chunkMessages: 2 });
    const conv = (await h.peer('alice').conversations.openDirect(h.user('bob'))).id;
    const ids: MessageId[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1);
      ids.push((await h.peer('alice').messages.send(conv, `m${i}`)).id);
    }
    await h.flush();
    const bob = h.peer('bob');
    await bob.receipts.markDelivered(conv, ids[3]!);
    await bob.receipts.markRead(conv, ids[1]!);
    await expectKithError('receipt_backwards', () => bob.receipts.markRead(conv, ids[0]!));
    for (let i = 0; i < 4; i++) await bob.messages.send(conv, `reply ${i}`); // bob's feed rolls over to new chunks
    await h.flush();
    expect(h.peer('alice').receipts.forMember(conv, h.user('bob'))).toEqual({ delivered: ids[3], read: ids[1] });
    expect((await h.peer('alice').receipts.forMessage(conv, ids[2]!)).map((r) => r.status)).toEqual(['delivered']);
    const restarted = await h.restart('alice');
    expect(restarted.receipts.forMember(conv, h.user('bob'))).toEqual({ delivered: ids[3], read: ids[1] });
  });

  it('calls: ring, answer, screen share, end → completed; unanswered → missed; declined', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'calls', peers: ['alice', 'bob'] });
    const conv = (await h.peer('alice').conversations.openDirect(h.user('bob'))).id;
    const call = await h.peer('alice').calls.start(conv, 'video');
    expect(call.status).toBe('initiated');
    await h.flush();
    const bob = h.peer('bob');
    await bob.calls.ring(conv, call.id);
    await h.flush();
    expect(h.peer('alice').calls.list(conv)[0]?.status).toBe('ringing');
    await bob.calls.answer(conv, call.id);
    const share = await bob.calls.startScreenShare(conv, call.id);
    await bob.calls.stopScreenShare(conv, share);
    await h.flush();
    expect(h.peer('alice').calls.list(conv)[0]).toMatchObject({ status: 'ongoing', caller: h.user('alice') });
    await h.peer('alice').calls.end(conv, call.id, 'hangup');
    await h.flush();
    const ended = bob.calls.list(conv)[0]!;
    expect(ended).toMatchObject({ status: 'completed', endReason: 'hangup' });
    expect(ended.screenShares).toHaveLength(1);
    expect(ended.screenShares[0]?.endedAt).not.toBeNull();
    const missed = await bob.calls.start(conv, 'voice');
    await bob.calls.end(conv, missed.id);
    const declined = await bob.calls.start(conv, 'voice');
    await h.flush();
    await h.peer('alice').calls.decline(conv, declined.id);
    await h.flush();
    const statuses = Object.fromEntries(bob.calls.list(conv).map((c) => [c.id, c.status]));
    expect(statuses[missed.id]).toBe('missed');
    expect(statuses[declined.id]).toBe('declined');
    await expectKithError('conflict', () => bob.calls.answer(conv, call.id));
  });

  it('contacts: request, accept, decline, private block that refuses feeds, unblock', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'contacts', peers: ['alice', 'bob', 'carol'] });
    const [alice, bob, carol] = [h.peer('alice'), h.peer('bob'), h.peer('carol')];
    await alice.contacts.request(h.user('bob'));
    await carol.contacts.request(h.user('bob'));
    await h.flush();
    expect(bob.contacts.get(h.user('alice')).status).toBe('incoming');
    await bob.contacts.accept(h.user('alice'));
    await bob.contacts.decline(h.user('carol'));
    await h.flush();
    expect(alice.contacts.get(h.user('bob')).status).toBe('accepted');
    expect(carol.contacts.get(h.user('bob')).status).toBe('declined');
    await expectKithError('not_found', () => alice.contacts.accept(h.user('carol')));
    await bob.contacts.block(h.user('alice'));
    await h.flush();
    expect(bob.contacts.get(h.user('alice'))).toMatchObject({ status: 'blocked', blocked: true });
    expect(alice.contacts.get(h.user('bob')).status).toBe('accepted'); // the block is private
    const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
    await alice.messages.send(conv, 'are you there?');
    await h.flush();
    expect(bob.stats().rejected).toBeGreaterThan(0);
    await bob.contacts.unblock(h.user('alice'));
    expect(bob.contacts.get(h.user('alice')).status).toBe('accepted');
  });

  it('profiles replicate to contacts; conversation state is per user and syncs to my devices', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'profile', peers: ['alice', { name: 'alice2', sameUserAs: 'alice' }, 'bob'] });
    const alice = h.peer('alice');
    await alice.profile.update({ displayName: 'Alice A.', about: 'hi' });
    const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
    await alice.messages.send(conv, 'hello');
    await alice.conversations.setState(conv, { pinned: true, mutedUntil: 1_800_000_000_000 });
    await h.flush();
    expect(h.peer('bob').profile.get(h.user('alice'))).toMatchObject({ displayName: 'Alice A.', username: 'alice' });
    expect(h.peer('alice2').conversations.get(conv).state).toMatchObject({ pinned: true, mutedUntil: 1_800_000_000_000 });
    expect(h.peer('bob').conversations.get(conv).state.pinned).toBe(false);
    const last = (await alice.messages.page(conv))[0]!;
    await alice.conversations.setState(conv, { clearedUpTo: last.id });
    expect(await alice.messages.page(conv)).toEqual([]);
    expect(await h.peer('bob').messages.page(conv)).toHaveLength(1);
  });

  it('emits typed events for local and remote changes; a throwing listener breaks nothing', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'events', peers: ['alice', 'bob'] });
    const bob = h.peer('bob');
    const seen: string[] = [];
    bob.on('message', (e) => seen.push(`message:${e.message.text}`));
    bob.on('messageEdited', (e) => seen.push(`edited:${e.message.text}`));
    bob.on('messageDeleted', () => seen.push('deleted'));
    bob.on('reaction', () => seen.push('reaction'));
    bob.on('membership', () => seen.push('membership'));
    const off = bob.on('message', () => {
      throw new Error('app bug');
    });
    const g = await h.peer('alice').groups.create({ name: 'g', members: [h.user('bob')] });
    await h.flush();
    const m = await h.peer('alice').messages.send(g.id, 'one');
    await h.flush();
    off();
    await h.peer('alice').messages.edit(g.id, m.id, 'uno');
    await bob.messages.react(g.id, m.id, '🎉');
    await h.peer('alice').messages.delete(g.id, m.id);
    await h.flush();
    // The group's creation, then alice's and bob's own cards (DIR-2: each a membership op); bob's
    // own reaction is local, so before alice's edit.
    expect(seen).toEqual(['membership', 'membership', 'membership', 'message:one', 'reaction', 'edited:uno', 'deleted']);
    expect(bob.stats().listenerErrors).toBe(1);
  });

  it('a change is durable before it is emitted, and unacknowledged changes stay in the outbox', async () => {
    const h = await createPeerHarness({ backend: yjs, seed: 'outbox', peers: ['alice', 'bob'] });
    const alice = h.peer('alice');
    const emitted: DocChange[] = [];
    alice.onOutgoing((c) => emitted.push(c));
    const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
    await alice.messages.send(conv, 'x');
    expect(emitted.map((c) => c.counter)).toEqual([1, 1]); // account entry + first feed change
    const stored = h.peers.get('alice')!.database.outbox.size;
    expect(stored).toBeGreaterThanOrEqual(2);
    h.net.partition([['alice'], ['hub', 'bob']], 'drop');
    await alice.messages.send(conv, 'y');
    h.net.flush();
    expect(alice.outbox().length).toBeGreaterThan(0);
    h.net.heal();
    await h.flush();
    expect(alice.outbox()).toEqual([]);
    expect((await h.peer('bob').messages.page(conv)).map((m) => m.text)).toEqual(['x', 'y']);
  });
});
