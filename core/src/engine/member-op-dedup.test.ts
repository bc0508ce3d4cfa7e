import { describe, expect, it } from 'vitest';
import type { DocChange } from '../protocol/doc-change.js';
import type { DocId } from '../ids.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { encodeMemberOp } from '../model/membership/member-op-codec.js';
import type { MemberOp } from '../model/membership/member-op.js';

describe('members dedup keys by author, device and counter', () => {
  it("a forged op carrying another author's (device, counter) does not shadow the real op", async () => {
    const h = await createPeerHarness({ backend: createYjsBackend(), seed: 1, peers: ['alice', 'bob', 'mallory'] });
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const g = await alice.groups.create({ name: 'g', members: [h.user('bob'), h.user('mallory')] });
    await h.flush();
    const doc = `members:${g.id}` as DocId;
    const aliceOps = h.hub.changes().filter((c) => c.doc === doc && c.author === h.user('alice'));
    const device = aliceOps[0]!.device;
    const next = Math.max(...aliceOps.map((c) => c.counter)) + 1;
    // Mallory signs an op as herself but reuses Alice's device id and her next counter; a
    // pending op (unknown parent) is enough to occupy the slot under device-only dedup.
    const op = {
      v: 1,
      conversation: g.id,
      author: h.user('mallory'),
      parents: ['00'.repeat(32)],
      lamport: 2,
      at: 0,
      body: { type: 'info', name: 'x' },
    } as unknown as MemberOp;
    const forged: DocChange = { doc, kind: 'member', author: h.user('mallory'), device, counter: next, payload: encodeMemberOp(op) };
    const r = bob.receive(forged);
    expect(r.ok).toBe(true);
    await alice.groups.removeMember(g.id, h.user('mallory'));
    await h.flush();
    const names = (k: typeof alice) => k.groups.members(g.id).map((m) => m.user).sort();
    console.log(`forged=${JSON.stringify(r)} alice sees ${names(alice).length}, bob sees ${names(bob).length}`);
    expect(names(alice)).toHaveLength(2);
    expect(names(bob)).toEqual(names(alice));
  });
});
