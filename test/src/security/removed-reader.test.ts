import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityScopeOf, type ConversationId, type CrdtBackendName } from '@kith/core';
import { createHostileRelayWorld, type HostileRelayWorld, type RelayDevice } from './hostile-relay-world.js';

/**
 * SYNC-24 / CAP-4 (docs/PROTOCOL.md, ADR 0016 §3) through a REAL relay (child process, SQLite,
 * WebSockets): once a removal or a leave took effect, the group's read capability rotates, so the
 * relay sends the departed member's device no envelope of the group written after it — counted
 * in frames at her transport, not in decryptions. Before: she kept receiving every new envelope
 * of the group (ciphertext she cannot open): 16 in the first scenario.
 */
const groupEnvelopes = (d: RelayDevice, conv: ConversationId): number =>
  [...d.received].filter(([doc]) => capabilityScopeOf(doc) === `conv:${conv}`).reduce((n, [, k]) => n + k, 0);
const texts = async (d: RelayDevice, conv: ConversationId): Promise<string[]> => (await d.kith.messages.page(conv, { limit: 200 })).map((m) => m.text);

for (const backend of ['yjs', 'automerge'] as const satisfies readonly CrdtBackendName[]) {
  describe(`removed readers get nothing from the relay (${backend})`, () => {
    let w: HostileRelayWorld;
    beforeAll(async () => {
      w = await createHostileRelayWorld(`removed-reader-${backend}`, { backend });
      for (const n of ['alice', 'bob', 'carol', 'dave']) await w.add(n);
      await w.lookupAll();
    }, 60_000);
    afterAll(async () => {
      await w.close();
    });

    it('SYNC-24: a removed member receives 0 envelopes written after her removal; a leaver too; the others converge; re-added, she receives again', async () => {
      const [alice, bob, carol, dave] = (['alice', 'bob', 'carol', 'dave'] as const).map((n) => w.device(n)) as [RelayDevice, RelayDevice, RelayDevice, RelayDevice];
      const group = await alice.kith.groups.create({ name: 'g', members: [w.user('bob'), w.user('carol'), w.user('dave')] });
      await w.settle();
      await carol.kith.messages.send(group.id, 'carol was here');
      await bob.kith.messages.send(group.id, 'before');
      await w.settle();
      expect((await texts(carol, group.id)).sort()).toEqual(['before', 'carol was here']);

      // 1. carol is removed (online): she learns it (KEY-9), then the token rotates.
      await alice.kith.groups.removeMember(group.id, w.user('carol'));
      await w.settle();
      expect(carol.kith.groups.get(group.id).former.map((m) => m.user)).toContain(w.user('carol'));
      const carolAtRemoval = groupEnvelopes(carol, group.id);
      const daveAtRemoval = groupEnvelopes(dave, group.id);
      for (let i = 0; i < 5; i++) {
        await alice.kith.messages.send(group.id, `a${i}`);
        await bob.kith.messages.send(group.id, `b${i}`);
        await dave.kith.messages.send(group.id, `d${i}`);
      }
      await bob.kith.messages.react(group.id, (await bob.kith.messages.page(group.id)).at(-1)!.id, '👍');
      await w.settle();
      const carolAfter = groupEnvelopes(carol, group.id) - carolAtRemoval;
      const daveAfter = groupEnvelopes(dave, group.id) - daveAtRemoval;
      console.log(`[SYNC-24 ${backend}] carol received ${carolAfter} group envelopes written after her removal; dave (remaining) ${daveAfter}`);
      expect(carolAfter).toBe(0);
      // The remaining member still receives: 11 of the changes are others' (fewer envelopes, as
      // messages queued behind a push in flight leave as one range, BATCH-9); all are shown below.
      expect(daveAfter).toBeGreaterThanOrEqual(1);
      const seen = await texts(alice, group.id);
      expect(seen).toHaveLength(17);
      for (const d of [bob, dave]) expect(await texts(d, group.id)).toEqual(seen);

      // 2. dave leaves: the same for a leaver.
      await dave.kith.groups.leave(group.id);
      await w.settle();
      const daveAtLeave = groupEnvelopes(dave, group.id);
      await alice.kith.messages.send(group.id, 'after dave left');
      await bob.kith.messages.send(group.id, 'bob too');
      await w.settle();
      const daveAfterLeave = groupEnvelopes(dave, group.id) - daveAtLeave;
      console.log(`[SYNC-24 ${backend}] dave received ${daveAfterLeave} group envelopes written after he left`);
      expect(daveAfterLeave).toBe(0);
      expect(await texts(bob, group.id)).toEqual(await texts(alice, group.id));
      expect(await texts(alice, group.id)).toHaveLength(19);

      // 3. carol is added back: she gets the current token and reads again.
      await alice.kith.groups.addMember(group.id, w.user('carol'));
      await w.settle();
      const carolAtReAdd = groupEnvelopes(carol, group.id);
      await bob.kith.messages.send(group.id, 'welcome back');
      await w.settle();
      expect(groupEnvelopes(carol, group.id)).toBeGreaterThan(carolAtReAdd);
      expect(await texts(carol, group.id)).toContain('welcome back');
      expect(await texts(carol, group.id)).toEqual(await texts(alice, group.id));
      expect(carol.kith.groups.members(group.id).map((m) => m.user)).toContain(w.user('carol'));
    }, 180_000);

    it('SYNC-24: with the creator offline, another admin (a controller since her promotion) rotates', async () => {
      const [alice, bob, carol, dave] = (['alice', 'bob', 'carol', 'dave'] as const).map((n) => w.device(n)) as [RelayDevice, RelayDevice, RelayDevice, RelayDevice];
      const group = await alice.kith.groups.create({ name: 'h', members: [w.user('bob'), w.user('carol'), w.user('dave')] });
      await w.settle();
      await alice.kith.groups.setRole(group.id, w.user('bob'), 'admin');
      await dave.kith.messages.send(group.id, 'dave here');
      await w.settle();
      await w.setOnline('alice', false);
      await bob.kith.groups.removeMember(group.id, w.user('dave'));
      await w.settle();
      expect(dave.kith.groups.get(group.id).former.map((m) => m.user)).toContain(w.user('dave'));
      const daveAtRemoval = groupEnvelopes(dave, group.id);
      for (let i = 0; i < 3; i++) {
        await bob.kith.messages.send(group.id, `b${i}`);
        await carol.kith.messages.send(group.id, `c${i}`);
      }
      await w.settle();
      const daveAfter = groupEnvelopes(dave, group.id) - daveAtRemoval;
      console.log(`[SYNC-24 ${backend}] creator offline: dave received ${daveAfter} group envelopes written after bob removed him`);
      expect(daveAfter).toBe(0);
      expect(await texts(carol, group.id)).toEqual(await texts(bob, group.id));
      await w.setOnline('alice', true);
      await w.settle();
      expect(await texts(alice, group.id)).toEqual(await texts(bob, group.id));
      expect(await texts(alice, group.id)).toHaveLength(7);
    }, 180_000);

    it('CAP-5: a member removed while offline still learns her removal when back, and receives nothing written after it', async () => {
      const [alice, bob, carol] = (['alice', 'bob', 'carol'] as const).map((n) => w.device(n)) as [RelayDevice, RelayDevice, RelayDevice];
      const group = await alice.kith.groups.create({ name: 'k', members: [w.user('bob'), w.user('carol')] });
      await w.settle();
      await carol.kith.messages.send(group.id, 'carol here');
      await w.settle();
      await w.setOnline('carol', false);
      await alice.kith.groups.removeMember(group.id, w.user('carol'));
      await w.settle();
      await bob.kith.messages.send(group.id, 'after carol');
      await w.settle();
      const atReturn = groupEnvelopes(carol, group.id);
      await w.setOnline('carol', true);
      await w.settle();
      // She reads the pre-rotation log (her removal op) and nothing of what came after it.
      expect(carol.kith.groups.get(group.id).former.map((m) => m.user)).toContain(w.user('carol'));
      expect(await texts(carol, group.id)).not.toContain('after carol');
      const got = groupEnvelopes(carol, group.id) - atReturn;
      console.log(`[CAP-5 ${backend}] carol, removed while offline, received ${got} group envelope(s) back online (the removal op); none after it`);
      expect(got).toBe(1);
    }, 180_000);
  });
}
