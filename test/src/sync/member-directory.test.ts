import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId, CrdtBackendName, UserId } from '@kith/core';
import { createSyncHarness, type SyncPeer } from '@kith/core/testing';
import { createInProcessRelay } from '../harness/relay-host.js';
import type { InProcessHarness } from '../harness/presets.js';

/**
 * The member directory (ADR 0027, DIR-1..DIR-6 in docs/PROTOCOL.md) end to end: real engines,
 * sync clients and crypto over the in-process relay, on both CRDT backends. Nobody here is
 * anybody's contact: alice only looked bob, carol and mallory up to invite them.
 */
let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function groupOf(backend: CrdtBackendName, seed: string, names: readonly string[]): Promise<{ peers: SyncPeer[]; ids: UserId[]; group: ConversationId }> {
  world = await createSyncHarness({ seed: `${seed}-${backend}`, backend, relay: await createInProcessRelay() });
  const peers: SyncPeer[] = [];
  for (const n of names) peers.push(await world.addPeer(n));
  await world.flush();
  const ids = peers.map((p) => p.identity.userId);
  const [admin] = peers as [SyncPeer];
  for (const n of names.slice(1)) {
    const r = await admin.sync.lookup(n);
    if (!r.ok) throw r.error;
  }
  const group = await admin.kith.groups.create({ name: 'Trip', members: ids.slice(1) });
  await world.flush();
  return { peers, ids, group: group.id };
}

for (const backend of ['yjs', 'automerge'] as const satisfies readonly CrdtBackendName[]) {
  describe(`member directory (${backend})`, () => {
    it('DIR-2, DIR-4: a co-member who is not my contact arrives by the name she chose; a rename reaches the group', async () => {
      const { peers, ids, group } = await groupOf(backend, 'directory-names', ['alice', 'bob', 'carol']);
      const [alice, bob, carol] = peers as [SyncPeer, SyncPeer, SyncPeer];
      const [aliceId, bobId, carolId] = ids as [UserId, UserId, UserId];
      // Before any display name is set, the username (from the relay registration) is there.
      expect(carol.kith.profile.get(bobId)).toMatchObject({ username: 'bob', source: 'member' });
      await bob.kith.profile.update({ displayName: 'Bob Builder' });
      await carol.kith.profile.update({ displayName: 'Carol C.' });
      await world!.flush();
      expect(carol.kith.profile.get(bobId)).toMatchObject({ user: bobId, displayName: 'Bob Builder', username: 'bob', source: 'member', about: '' });
      expect(bob.kith.profile.get(carolId)).toMatchObject({ displayName: 'Carol C.', username: 'carol', source: 'member' });
      expect(carol.kith.groups.members(group).map((m) => [m.username, m.source, m.role])).toEqual(
        [[aliceId, 'alice'], [bobId, 'bob'], [carolId, 'carol']]
          .sort(([a], [b]) => (a! < b! ? -1 : 1))
          .map(([u, name]) => [name, u === carolId ? 'own' : 'member', u === aliceId ? 'admin' : 'member']),
      );
      expect(carol.kith.profile.get()).toMatchObject({ displayName: 'Carol C.', source: 'own' });
      // A stranger (no shared group, not a contact) stays unknown.
      expect(carol.kith.profile.get('00000000-0000-4000-8000-000000000099' as UserId)).toMatchObject({ displayName: '', username: '', source: 'unknown' });

      const renamed: UserId[] = [];
      carol.kith.on('profile', (e) => renamed.push(e.user));
      await bob.kith.profile.update({ displayName: 'Robert' });
      await world!.flush();
      expect(carol.kith.profile.get(bobId).displayName).toBe('Robert');
      expect(alice.kith.groups.members(group).find((m) => m.user === bobId)?.displayName).toBe('Robert');
      expect(renamed).toContain(bobId);
      // An unchanged name writes no new card (DIR-2): the log does not grow with every update.
      const ops = alice.kith.membershipLog(group)!.history().length;
      await bob.kith.profile.update({ about: 'climber' });
      await world!.flush();
      expect(alice.kith.membershipLog(group)!.history().length).toBe(ops);
      // DIR-6: a restart reads the names back from storage.
      const again = await world!.restart('carol');
      expect(again.kith.profile.get(bobId)).toMatchObject({ displayName: 'Robert', source: 'member' });
    }, 60_000);

    it('DIR-4: once a co-member becomes my contact, her name is a contact\'s (from her profile)', async () => {
      const { peers, ids } = await groupOf(backend, 'directory-contact', ['alice', 'bob']);
      const [alice, bob] = peers as [SyncPeer, SyncPeer];
      const [aliceId, bobId] = ids as [UserId, UserId];
      await bob.kith.profile.update({ displayName: 'Bob Builder' });
      await world!.flush();
      expect(alice.kith.profile.get(bobId)).toMatchObject({ displayName: 'Bob Builder', source: 'member' });
      await bob.kith.contacts.request(aliceId);
      await world!.flush();
      await alice.kith.contacts.accept(bobId);
      await world!.flush();
      expect(alice.kith.contacts.get(bobId).status).toBe('accepted');
      expect(alice.kith.profile.get(bobId)).toMatchObject({ displayName: 'Bob Builder', username: 'bob', source: 'contact' });
      expect(bob.kith.profile.get(aliceId).source).toBe('contact');
    }, 60_000);

    it('DIR-3: a removed member stops receiving profile updates (her log gets no op after the removal: KEY-9, SYNC-24)', async () => {
      const { peers, ids, group } = await groupOf(backend, 'directory-removed', ['alice', 'bob', 'carol']);
      const [alice, bob, carol] = peers as [SyncPeer, SyncPeer, SyncPeer];
      const [, bobId, carolId] = ids as [UserId, UserId, UserId];
      await bob.kith.profile.update({ displayName: 'Bob Builder' });
      await world!.flush();
      expect(carol.kith.profile.get(bobId).displayName).toBe('Bob Builder');
      await alice.kith.groups.removeMember(group, carolId);
      await world!.flush();
      expect(carol.kith.groups.get(group).former.map((m) => m.user)).toContain(carolId);
      const carolOps = carol.kith.membershipLog(group)!.history().length;
      await bob.kith.profile.update({ displayName: 'Bobby' });
      await world!.flush();
      expect(alice.kith.profile.get(bobId).displayName).toBe('Bobby');
      expect(carol.kith.profile.get(bobId).displayName).toBe('Bob Builder'); // the last card she could read
      expect(carol.kith.membershipLog(group)!.history().length).toBe(carolOps);
      expect(carol.kith.stats().rejected).toBe(0);
    }, 60_000);

    it('DIR-5: a member who claims someone else\'s username is refused with a typed error, never shown under it', async () => {
      const { peers, ids } = await groupOf(backend, 'directory-forged', ['alice', 'bob', 'carol', 'mallory']);
      const [alice, bob, carol, mallory] = peers as [SyncPeer, SyncPeer, SyncPeer, SyncPeer];
      const [aliceId, bobId, , malloryId] = ids as [UserId, UserId, UserId, UserId];
      await bob.kith.profile.update({ displayName: 'Bob Builder' });
      // Mallory's own (modified) client names her "Bob Builder" with bob's username.
      await mallory.kith.profile.update({ displayName: 'Bob Builder', username: 'bob' });
      await world!.flush();
      // Bob sees his own username claimed: refused.
      const atBob = bob.kith.profile.card(malloryId);
      expect(atBob.ok ? 'ok' : atBob.error.code).toBe('conflict');
      expect(bob.kith.profile.get(malloryId)).toMatchObject({ displayName: 'Bob Builder', username: '', source: 'member' });
      // A third member sees two cards with one username: neither is shown under it (a squatter
      // can hide a username from non-contacts, never take it).
      const atCarol = carol.kith.profile.card(malloryId);
      expect(atCarol.ok ? 'ok' : atCarol.error.code).toBe('conflict');
      expect(carol.kith.profile.get(malloryId).username).toBe('');
      expect(carol.kith.profile.get(bobId).username).toBe('');
      // Both are still "member" names, which the app marks as not in your contacts.
      expect(carol.kith.profile.get(bobId).source).toBe('member');
      expect(alice.kith.profile.card(aliceId).ok).toBe(true);
    }, 60_000);
  });
}
