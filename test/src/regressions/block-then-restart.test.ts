import { afterEach, describe, expect, it } from 'vitest';
import { snapshotKith } from '@kith/core/testing';
import { createDexieHarness, type InProcessHarness } from '../harness/presets.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/**
 * Found by the convergence suite (SEED=automerge-2 CONVERGENCE_STEPS=40, restart oracle): a
 * message received BEFORE its author was blocked stays shown live, but after the blocker reopens
 * from its own database the message (and the direct conversation with it) is gone. Live and
 * reloaded state must agree, whichever way the engine decides blocks apply to earlier messages.
 * Fixed in the engine: a block refuses what arrives after it; what was received before it stays
 * shown, live and after reopening (stored changes replay without the block filter).
 */
describe('regression: block then restart', () => {
  for (const backend of ['yjs', 'automerge'] as const) {
    it(`${backend}: the blocker shows the same before and after reopening from its database`, async () => {
      const w = await createDexieHarness(`block-then-restart-${backend}`, backend);
      world = w;
      const alice = await w.addPeer('alice');
      const bob = await w.addPeer('bob');
      for (const [a, b] of [['alice', 'bob'], ['bob', 'alice']] as const) {
        const r = await w.peer(a).sync.lookup(b);
        if (!r.ok) throw r.error;
      }
      const conv = await alice.kith.conversations.openDirect(bob.kith.user);
      await alice.kith.messages.send(conv.id, 'before the block');
      await w.flush();
      await bob.kith.contacts.block(alice.kith.user);
      await w.flush();
      const live = JSON.stringify(await snapshotKith(bob.kith));
      expect(live).toContain('before the block'); // kept: a block refuses only what arrives after it
      await w.restart('bob');
      expect(JSON.stringify(await snapshotKith(w.peer('bob').kith))).toBe(live);
    });
  }
});
