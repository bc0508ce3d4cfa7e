import { afterEach, describe, expect, it } from 'vitest';
import { createSyncHarness, lookupAll, seedFromEnv, withSeed, type SyncHarness } from '@kith/core/testing';
import { createChildRelayHost, type ChildRelayHost } from '../harness/child-relay-host.js';
import { createDexieDevices } from '../harness/devices.js';
import { checkHistory, createHistory } from '../harness/history.js';

let world: SyncHarness<ChildRelayHost> | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('faults: a child-process relay (SQLite, FULL) SIGKILLed while authors compact closed chunks', () => {
  it('SNAP-4: loses no acknowledged message; a fresh device rebuilt from the compacted relay shows them all', async () => {
    const seed = seedFromEnv('compaction-sigkill');
    await withSeed(seed, async () => {
      const w = await createSyncHarness({ seed, relay: await createChildRelayHost(), devices: createDexieDevices(), flushUntil: 'upToDate', chunkMessages: 4 });
      world = w;
      for (const n of ['alice', 'bob']) await w.addPeer(n);
      await lookupAll(['alice', 'bob'], (n) => w.peer(n));
      const alice = w.peer('alice');
      const conv = (await alice.kith.conversations.openDirect(w.peer('bob').kith.user)).id;
      await w.peer('bob').kith.conversations.openDirect(alice.kith.user);
      const rnd = w.random.fork('kills');
      const history = createHistory();
      let kills = 0;
      for (let i = 0; i < 36; i++) {
        const op = history.invoke('alice', 'send', conv);
        const m = await alice.kith.messages.send(conv, `s${i}`);
        history.ok(op);
        history.ack({ conv, id: m.id, author: m.author });
        // Frames (the snapshot of the chunk that just closed among them) reach the relay for a
        // moment, then sometimes it is killed mid-write or mid-compaction.
        await new Promise((r) => setTimeout(r, rnd.int(8)));
        w.clock.advance(1100);
        if (i % 9 === 5) {
          expect(await w.relay.restart(true)).toBe('SIGKILL');
          kills++;
        }
      }
      await w.flush({ maxRounds: 2000 });
      const fresh = await w.addPeer('bob-fresh', { bundleFrom: 'bob' });
      await w.flush({ maxRounds: 2000 });
      const finals = [];
      for (const p of [alice, w.peer('bob'), fresh]) {
        finals.push({ peer: p.name === 'bob-fresh' ? 'bob' : p.name, conv, messages: (await p.kith.messages.page(conv, { limit: 500 })).map((m) => ({ id: m.id, author: m.author })) });
      }
      const members = new Map([[conv, new Set<string>([alice.kith.user, w.peer('bob').kith.user])]]);
      const check = checkHistory(history, finals, members, new Map([['alice', alice.kith.user], ['bob', w.peer('bob').kith.user]]));
      console.log(`compaction-sigkill: seed=${seed} SIGKILLs ${kills}, acknowledged ${check.acked}, lost ${check.lost.length}, duplicated ${check.duplicated.length}; fresh device applied ${fresh.sync.stats.received} envelopes for 36 messages`);
      expect(check.ok).toBe(true);
      expect(alice.kith.outbox()).toEqual([]);
      expect(kills).toBe(4);
      expect(fresh.sync.stats.received).toBeLessThan(36);
    });
  }, 120_000);
});
