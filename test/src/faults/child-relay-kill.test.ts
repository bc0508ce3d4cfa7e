import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId } from '@kith/core';
import { createSyncHarness, lookupAll, seedFromEnv, withSeed, type SyncHarness } from '@kith/core/testing';
import { createChildRelayHost, type ChildRelayHost } from '../harness/child-relay-host.js';
import { createDexieDevices } from '../harness/devices.js';
import { checkHistory, createHistory } from '../harness/history.js';

let world: SyncHarness<ChildRelayHost> | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const NAMES = ['alice', 'bob', 'carol'] as const;

describe('faults: a child-process relay (SQLite, FULL) SIGKILLed while peers write', () => {
  it('loses no acknowledged message and duplicates none (direct conversations, real sockets)', async () => {
    const seed = seedFromEnv('child-relay-sigkill');
    await withSeed(seed, async () => {
      // Peers follow whichever relay process is running now (it listens on a new port after a restart).
      const w = await createSyncHarness({ seed, relay: await createChildRelayHost(), devices: createDexieDevices(), flushUntil: 'upToDate' });
      world = w;
      for (const n of NAMES) await w.addPeer(n);
      await lookupAll(NAMES, (n) => w.peer(n));
      const alice = w.peer('alice');
      const convs = new Map<string, ConversationId>();
      for (const n of ['bob', 'carol'] as const) {
        convs.set(n, (await alice.kith.conversations.openDirect(w.peer(n).kith.user)).id);
        await w.peer(n).kith.conversations.openDirect(alice.kith.user);
      }
      const rnd = w.random.fork('kills');
      const history = createHistory();
      let kills = 0;
      for (let i = 0; i < 60; i++) {
        const sender = w.peer(rnd.pick(NAMES));
        const conv = sender.name === 'alice' ? convs.get(rnd.pick(['bob', 'carol']))! : convs.get(sender.name)!;
        const op = history.invoke(sender.name, 'send', conv);
        const m = await sender.kith.messages.send(conv, `s${i}`);
        history.ok(op);
        history.ack({ conv, id: m.id, author: m.author });
        // Let frames reach the relay for a moment, then sometimes kill it mid-write.
        await new Promise((r) => setTimeout(r, rnd.int(8)));
        w.clock.advance(1100);
        if (i % 20 === 19) {
          expect(await w.relay.restart(true)).toBe('SIGKILL');
          kills++;
        }
      }
      await w.flush({ maxRounds: 2000 });
      const finals = [];
      const members = new Map<string, Set<string>>();
      for (const [n, conv] of convs) {
        members.set(conv, new Set([alice.kith.user, w.peer(n).kith.user]));
        for (const p of [alice, w.peer(n)]) finals.push({ peer: p.name, conv, messages: (await p.kith.messages.page(conv, { limit: 500 })).map((m) => ({ id: m.id, author: m.author })) });
      }
      const check = checkHistory(history, finals, members, new Map(NAMES.map((n) => [n, w.peer(n).kith.user as string])));
      const outbox = NAMES.reduce((s, n) => s + w.peer(n).kith.outbox().length, 0);
      console.log(`child-relay-sigkill: seed=${seed} SIGKILLs ${kills}, acknowledged ${check.acked}, lost ${check.lost.length}, duplicated ${check.duplicated.length}, reordered ${check.reordered.length}, outbox left ${outbox}`);
      expect(check.ok).toBe(true);
      expect(outbox).toBe(0);
      expect(kills).toBe(3);
    });
  }, 120_000);
});
