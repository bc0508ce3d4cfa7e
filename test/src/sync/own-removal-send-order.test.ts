import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId, CrdtBackendName } from '@kith/core';
import { yjsSharedDocs } from '@kith/core/yjs';
import { createSyncHarness, lookupAll, type SyncHarness, type SyncPeer } from '@kith/core/testing';
import { createInProcessRelay, type InProcessRelay } from '../harness/relay-host.js';

/**
 * KEY-10 (docs/PROTOCOL.md), seed yjs-164: an admin's removal op waits in her sealer while an
 * earlier push of the group's membership log is still in flight (BATCH-9 coalescing); a message
 * or shared-document edit she writes right after it must wait behind it too. Before: the
 * content change went first, the session's view (own ops in outbox order) did not count the
 * removal yet, so the send gate passed and it was sealed under the epoch the removed member holds
 * — her device showed a message written after her removal.
 */
let world: SyncHarness<InProcessRelay> | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Alice (admin), bob and carol in one group, flushed. */
async function groupOfThree(seed: string, backend: CrdtBackendName) {
  const w = await createSyncHarness({ seed, backend, relay: await createInProcessRelay() });
  world = w;
  const [alice, bob, carol] = [await w.addPeer('alice'), await w.addPeer('bob'), await w.addPeer('carol')];
  const ids = await lookupAll(['alice', 'bob', 'carol'], (n) => w.peer(n));
  const g = await alice.kith.groups.create({ name: 'G', members: [ids.get('bob')!, ids.get('carol')!] });
  await w.flush();
  return { world: w, alice, bob, carol, ids, conv: g.id };
}

const texts = async (p: SyncPeer, conv: ConversationId): Promise<string[]> => (await p.kith.messages.page(conv, { limit: 100 })).map((m) => m.text);

for (const backend of ['yjs', 'automerge'] as const satisfies readonly CrdtBackendName[]) {
  describe(`an own removal waiting to be sealed holds back later content of its group (${backend})`, () => {
    it('KEY-10: a message written right after removing bob, while the membership log has a push in flight, never reaches bob', async () => {
      const { world, alice, bob, carol, ids, conv } = await groupOfThree(`own-removal-order-${backend}`, backend);
      await alice.kith.messages.send(conv, 'before');
      await world.flush();
      expect(await texts(bob, conv)).toEqual(['before']);
      // No flush between: the role change's push is in flight when the removal is made, so the
      // removal waits in alice's sealer (BATCH-9), and so must the message written after it.
      await alice.kith.groups.setRole(conv, ids.get('carol')!, 'admin');
      await alice.kith.groups.removeMember(conv, ids.get('bob')!);
      await alice.kith.messages.send(conv, 'after bob was removed');
      await world.flush();
      expect(bob.kith.groups.get(conv).former.map((m) => m.user)).toContain(ids.get('bob'));
      expect(await texts(carol, conv)).toEqual(['before', 'after bob was removed']);
      expect(await texts(alice, conv)).toEqual(['before', 'after bob was removed']);
      expect(await texts(bob, conv)).toEqual(['before']);
      expect(alice.kith.outbox()).toEqual([]);
    });
  });
}

describe('an own removal waiting to be sealed holds back later shared-document edits', () => {
  it('KEY-10 (yjs-164): an edit made right after removing bob, while the membership log has a push in flight, never reaches bob', async () => {
    const { world, alice, bob, carol, ids, conv } = await groupOfThree('own-removal-order-doc', 'yjs');
    const open = (p: SyncPeer) => p.kith.docs.open(conv, 'pad', { backend: yjsSharedDocs });
    const [a, b, c] = [await open(alice), await open(bob), await open(carol)];
    a.doc.getText('t').insert(0, 'before;');
    await a.flushed();
    await world.flush();
    expect(b.doc.getText('t').toJSON()).toBe('before;');
    await alice.kith.groups.setRole(conv, ids.get('carol')!, 'admin');
    await alice.kith.groups.removeMember(conv, ids.get('bob')!);
    a.doc.getText('t').insert(7, 'after;');
    await a.flushed();
    await world.flush();
    expect(bob.kith.groups.get(conv).former.map((m) => m.user)).toContain(ids.get('bob'));
    expect(c.doc.getText('t').toJSON()).toBe('before;after;');
    expect(b.doc.getText('t').toJSON()).toBe('before;');
    expect(alice.kith.outbox()).toEqual([]);
  });
});
