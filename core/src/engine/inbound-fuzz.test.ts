import { describe, expect, it } from 'vitest';
import type { DeviceId, DocId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { snapshotKith } from '../testing/domain-snapshot.js';
import { createSeededRandom, seedFromEnv } from '../testing/seeded-random.js';
import { fuzzBudgetMs, withSeed } from '../testing/fuzz-env.js';

/**
 * Hostile inbound changes (forged authors, wrong kinds, junk ids, random payloads, bad counters)
 * never throw out of `receive`, and whatever is refused leaves the visible state untouched.
 * (Byte-mutated CRDT updates that could hang a decoder are the sandbox's job: SBX.)
 */
describe('inbound fuzz', () => {
  it('receive never throws and refused changes change nothing', async () => {
    const seed = seedFromEnv();
    await withSeed(seed, async () => {
      const r = createSeededRandom(seed);
      const h = await createPeerHarness({ backend: createYjsBackend(), seed, peers: ['alice', 'bob', 'mallory'] });
      const alice = h.peer('alice');
      const g = await alice.groups.create({ name: 'g', members: [h.user('bob')] });
      await alice.messages.send(g.id, 'hello');
      await h.flush();
      const bob = h.peer('bob');
      const before = await snapshotKith(bob);
      const users = [h.user('alice'), h.user('bob'), h.user('mallory')];
      const docs = [
        `feed:${g.id}:${users[0]}:0`,
        `feed:${g.id}:${users[2]}:0`,
        `members:${g.id}`,
        `profile:${users[0]}`,
        `account:${users[1]}`,
        `contact:${users[0]}:${users[1]}`,
        'feed:zz',
        `feed:${g.id}:${users[0]}:01`,
        '__proto__',
        '',
      ];
      const real = h.hub.changes();
      const deadline = Date.now() + fuzzBudgetMs(1500);
      let n = 0;
      let refused = 0;
      // At least 500 changes whatever the budget (FUZZ_BUDGET_MS=0 replays one seed of another suite).
      while ((n < 500 || Date.now() < deadline) && n < 20_000) {
        const template = r.pick(real);
        const change: DocChange = {
          doc: (r.chance(0.7) ? r.pick(docs) : template.doc) as DocId,
          kind: r.chance(0.8) ? template.kind : r.pick(['update', 'member', 'bogus' as never]),
          author: (r.chance(0.5) ? r.pick(users) : template.author),
          device: (r.chance(0.9) ? template.device : 'not-a-device') as DeviceId,
          counter: r.pick([template.counter, 1000 + r.int(1000), 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]),
          payload: r.chance(0.5) ? r.bytes(r.int(64)) : r.chance(0.5) ? template.payload : (undefined as never),
        };
        const res = bob.receive(change);
        if (!res.ok) refused++;
        n++;
      }
      console.log(`inbound-fuzz seed=${seed} changes=${n} refused=${refused} held=${bob.stats().held}`);
      expect(refused).toBeGreaterThan(n / 2);
      // mallory (not a member) forged nothing into alice's feed or profile; the group is intact.
      const after = (await snapshotKith(bob)) as { conversations: Array<{ messages: unknown[]; members: unknown[] }> };
      const was = before as typeof after;
      expect(after.conversations.map((c) => c.members)).toEqual(was.conversations.map((c) => c.members));
      expect(after.conversations.map((c) => c.messages)).toEqual(was.conversations.map((c) => c.messages));
    });
  }, fuzzBudgetMs(1500) + 60_000);
});
