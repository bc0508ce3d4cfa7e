import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId } from '@kith/core';
import { lookupAll, type SyncPeer } from '@kith/core/testing';
import { createDexieHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const NAMES = ['alice', 'carol', 'dave', 'erin'] as const;

/**
 * Found by the convergence suite (yjs-13, 40 steps): carol, offline while erin removed alice
 * (epoch 0 → 1), kept sealing under epoch 0 (SYNC-1: a change is sealed once, before its first
 * push); back online she sealed under epoch 1. dave, added next at epoch 1, opened carol's
 * epoch-1 envelope but not the two epoch-0 ones before it in the same stream: he stayed in `gap`
 * (counters 1 and 2 missing) for good, and the flush never went quiet. Fixed by SYNC-20: a joiner
 * gets the earlier epochs' keys, so the whole stream opens.
 */
describe('regression: a joiner after a rotation that a member had not learnt of yet', () => {
  for (const backend of ['yjs', 'automerge'] as const) {
    it(`${backend}: a stream sealed partly under the old epoch opens at the joiner, no gap`, async () => {
      const w = (world = await createDexieHarness(`joiner-stale-epoch-${backend}`, backend));
      for (const n of NAMES) await w.addPeer(n);
      await lookupAll(NAMES, (n) => w.peer(n));
      const [alice, carol, dave, erin] = NAMES.map((n) => w.peer(n)) as [SyncPeer, SyncPeer, SyncPeer, SyncPeer];
      const texts = async (p: SyncPeer, conv: ConversationId): Promise<string[]> => (await p.kith.messages.page(conv)).map((m) => m.text);
      const g = await erin.kith.groups.create({ name: 'g', members: [alice.kith.user, carol.kith.user] });
      await w.flush();
      w.setOnline('carol', false);
      await erin.kith.groups.removeMember(g.id, alice.kith.user); // epoch 1, carol does not know yet
      await w.flush();
      await carol.kith.messages.send(g.id, 'c1 (epoch 0, after the removal)');
      await carol.kith.messages.send(g.id, 'c2 (epoch 0, after the removal)');
      w.setOnline('carol', true);
      await w.flush();
      await carol.kith.messages.send(g.id, 'c3 (epoch 1)');
      await w.flush();
      await erin.kith.groups.addMember(g.id, dave.kith.user, 'member');
      await w.flush();
      await carol.kith.messages.send(g.id, 'c4');
      await w.flush();
      const want = await texts(erin, g.id);
      const shown = await texts(dave, g.id);
      console.log(`[yjs-13 ${backend}] carol's messages at erin ${want.length}, at dave (joined at epoch 1) ${shown.length}; dave gaps ${dave.kith.gaps().length}, parked ${dave.sync.describe().parked}, state ${dave.sync.state}`);
      expect(want).toEqual(['c1 (epoch 0, after the removal)', 'c2 (epoch 0, after the removal)', 'c3 (epoch 1)', 'c4']);
      expect(shown).toEqual(want);
      expect(dave.kith.gaps()).toEqual([]);
      expect(dave.sync.state).toBe('upToDate');
    }, 60_000);
  }
});
