import { describe, expect, it } from 'vitest';
import type { ConversationId, DeviceId, UserId } from '../ids.js';
import type { CrdtBackend } from '../ports/crdt.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Kith } from '../kith.js';
import type { Core } from './core.js';
import { createAutomergeBackend } from '../crdt/automerge/index.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { deriveUuid } from '../ids.js';
import { createKith } from '../kith.js';
import { feedDocId } from '../model/doc-ids.js';
import { createMembershipLog } from '../model/membership/membership-log.js';
import { ALICE, BOB, CREATED_AT, GROUP } from '../model/membership/membership-fixtures.js';
import { decodeSnapshotBody, encodeSnapshotBody } from '../protocol/snapshot-body.js';
import { createMemoryDatabase, createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createManualClock } from '../testing/manual-clock.js';
import { createPeerHarness, type PeerHarness } from '../testing/peer-harness.js';
import { createSeededRandom } from '../testing/seeded-random.js';
import { feedVerdict } from './feed-policy.js';
import { decodeRecord } from './record.js';

const backends: Array<[string, () => CrdtBackend]> = [
  ['yjs', createYjsBackend],
  ['automerge', createAutomergeBackend],
];

/** A group of alice and bob where alice filled chunk 0 (5 messages) and wrote 2 into chunk 1. */
async function world(backend: () => CrdtBackend, seed: string): Promise<{ h: PeerHarness; g: ConversationId; alice: Kith; bob: Kith }> {
  const h = await createPeerHarness({ backend: backend(), seed, peers: ['alice', 'bob'], chunkMessages: 5 });
  const alice = h.peer('alice');
  const bob = h.peer('bob');
  const g = (await alice.groups.create({ name: 'g', members: [h.user('bob')] })).id;
  await h.flush();
  for (let i = 0; i < 7; i++) await alice.messages.send(g, `m${i}`);
  await h.flush();
  return { h, g, alice, bob };
}

/** A new device of `user` that never saw anything: it gets exactly `changes`, in that order. */
async function freshDevice(backend: () => CrdtBackend, user: UserId, changes: readonly DocChange[]): Promise<Kith> {
  const kith = await createKith({
    user,
    username: 'fresh',
    device: deriveUuid('kith/test-device', new TextEncoder().encode('fresh')) as DeviceId,
    backend: backend(),
    clock: createManualClock(),
    random: createSeededRandom('fresh'),
    storage: createMemoryStorage({ database: createMemoryDatabase() }),
    chunkMessages: 5,
  });
  for (const c of changes) kith.receive(c);
  await kith.idle();
  return kith;
}

const texts = async (k: Kith, g: ConversationId): Promise<string[]> => (await k.messages.page(g, { limit: 100 })).map((m) => m.text);

describe.each(backends)('author snapshots of closed feed chunks (ADR 0022) on %s', (name, backend) => {
  it('SNAP-2 SNAP-3 SNAP-6: the author compacts a closed chunk; a fresh device reads the snapshot and the tail only', async () => {
    const { h, g, alice, bob } = await world(backend, `snap-fresh-${name}`);
    const chunk0 = feedDocId(g, h.user('alice'), 0);
    const snap = await alice.compact(chunk0);
    expect(snap?.kind).toBe('snapshot');
    const body = decodeSnapshotBody(snap!.payload)!;
    expect(body.covers).toEqual([{ device: h.peers.get('alice')!.device, from: 1, to: snap!.counter - 1 }]);
    expect(await alice.compact(chunk0)).toBeNull(); // compacted already
    expect(await alice.compact(feedDocId(g, h.user('alice'), 1))).toBeNull(); // not closed: still written (outbox) or open
    await h.flush();
    // Bob held every covered change: the snapshot is recorded, and replaces them in his storage.
    const stored = h.peers.get('bob')!.database.docs.get(chunk0)!;
    expect(stored.snapshot).toBeNull();
    expect(stored.updates.map((u) => decodeRecord(u)).map((r) => (r.ok ? r.value.kind : 'bad'))).toEqual(['snapshot']);
    expect(h.peers.get('alice')!.database.docs.get(chunk0)!.updates).toHaveLength(1);
    // A fresh device of bob: the membership log, the snapshot, the open chunk — no chunk-0 update.
    const relayed = h.hub.changes().filter((c) => !(c.doc === chunk0 && c.kind === 'update'));
    const fresh = await freshDevice(backend, h.user('bob'), relayed);
    const want = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    console.log(`[SNAP] ${name}: ${relayed.filter((c) => c.doc === chunk0).length} object(s) of chunk 0 instead of ${h.hub.changes().filter((c) => c.doc === chunk0).length}`);
    expect(await texts(fresh, g)).toEqual(want);
    expect(await texts(bob, g)).toEqual(want);
    expect(fresh.gaps()).toEqual([]);
    // A stale tail (the covered updates served after the snapshot) is only duplicates.
    const before = fresh.stats().duplicates;
    for (const c of h.hub.changes().filter((x) => x.doc === chunk0 && x.kind === 'update')) expect(fresh.receive(c)).toEqual({ ok: true, value: 'duplicate' });
    expect(fresh.stats().duplicates - before).toBe(5);
    expect(await texts(fresh, g)).toEqual(want);
    // A restart of bob reads the replaced chunk back.
    const bob2 = await h.restart('bob');
    expect(await texts(bob2, g)).toEqual(want);
    await h.close();
  });

  it('SNAP-5: a snapshot racing an edit of an old message and new messages converges in every delivery order', async () => {
    const { h, g, alice, bob } = await world(backend, `snap-race-${name}`);
    const chunk0 = feedDocId(g, h.user('alice'), 0);
    const first = (await alice.messages.page(g, { limit: 100 }))[0]!;
    const snap = await alice.compact(chunk0);
    expect(snap).not.toBeNull();
    await alice.messages.edit(g, first.id, 'm0 edited');
    await alice.messages.send(g, 'm7');
    await h.flush();
    const want = await texts(alice, g);
    expect(want[0]).toBe('m0 edited');
    expect(await texts(bob, g)).toEqual(want);
    const relayed = h.hub.changes().filter((c) => !(c.doc === chunk0 && c.kind === 'update' && c.counter < snap!.counter));
    // The edit and the tail before the snapshot, the snapshot last; and the stale tail too.
    const edit = relayed.filter((c) => c.doc === chunk0 && c.counter > snap!.counter);
    const others = relayed.filter((c) => !(c.doc === chunk0));
    expect(await texts(await freshDevice(backend, h.user('bob'), [...others, ...edit, snap!]), g)).toEqual(want);
    expect(await texts(await freshDevice(backend, h.user('bob'), [...others, snap!, ...edit]), g)).toEqual(want);
    expect(await texts(await freshDevice(backend, h.user('bob'), h.hub.changes()), g)).toEqual(want);
    await h.close();
  });

  it('SNAP-3: a truncated, undecodable or mismatched snapshot is refused and reported, never applied', async () => {
    const { h, g, alice } = await world(backend, `snap-forged-${name}`);
    const chunk0 = feedDocId(g, h.user('alice'), 0);
    const snap = (await alice.compact(chunk0))!;
    const body = decodeSnapshotBody(snap.payload)!;
    const others = h.hub.changes().filter((c) => c.doc !== chunk0);
    const forged: DocChange[] = [
      { ...snap, payload: snap.payload.subarray(0, 9) }, // truncated inside the ranges
      { ...snap, payload: encodeSnapshotBody({ covers: body.covers, state: new Uint8Array([0xff, 0xfe, 0xfd]) }) }, // state the CRDT refuses
      { ...snap, payload: encodeSnapshotBody({ covers: [{ ...body.covers[0]!, to: snap.counter }], state: body.state }) }, // own range reaches its counter
    ];
    for (const bad of forged) {
      const fresh = await freshDevice(backend, h.user('bob'), others);
      const r = fresh.receive(bad);
      expect(r.ok).toBe(false);
      expect(fresh.quarantined().map((q) => [q.doc, q.author, q.counter])).toEqual([[chunk0, h.user('alice'), snap.counter]]);
      expect(await texts(fresh, g)).toEqual(['m5', 'm6']);
    }
    // Bob's copy of alice's chunk is another writer's: refused before decoding.
    const fresh = await freshDevice(backend, h.user('bob'), others);
    expect(fresh.receive({ ...snap, author: h.user('bob') }).ok).toBe(false);
    await h.close();
  });
});

describe('SNAP-3: a former member\'s snapshot is authorized per covered range', () => {
  const DEVICE = 'd9ae1f40-2820-45f5-934f-525b8056f159' as DeviceId;
  const OTHER = '0b7bd2b3-0a2c-4b8e-9a53-8f7a3f1b2c10' as DeviceId;
  const DOC = feedDocId(GROUP, BOB, 0);
  const core = (cutoff: Record<string, number>): Core => {
    const log = createMembershipLog(GROUP);
    log.create(ALICE, { type: 'create', name: 'g', description: '', icon: null, members: [{ user: BOB, role: 'member' }] }, CREATED_AT);
    log.create(ALICE, { type: 'remove', user: BOB, cutoff }, CREATED_AT + 1);
    return { me: ALICE, directs: new Map(), groups: new Map([[GROUP, { log }]]) } as unknown as Core;
  };
  const snapshot = (counter: number, covers: Array<{ device: DeviceId; from: number; to: number }>): DocChange => ({
    doc: DOC, kind: 'snapshot', author: BOB, device: DEVICE, counter, payload: encodeSnapshotBody({ covers, state: new Uint8Array([0]) }),
  });

  it('every range within the cutoff: allowed; one range beyond its device\'s cutoff: cut (never partly applied)', () => {
    const c = core({ [`${DOC}|${DEVICE}`]: 6, [`${DOC}|${OTHER}`]: 2 });
    const inside = snapshot(6, [{ device: OTHER, from: 1, to: 2 }, { device: DEVICE, from: 1, to: 5 }].sort((a, b) => (a.device < b.device ? -1 : 1)));
    const beyond = snapshot(6, [{ device: OTHER, from: 1, to: 4 }, { device: DEVICE, from: 1, to: 5 }].sort((a, b) => (a.device < b.device ? -1 : 1)));
    const late = snapshot(7, [{ device: DEVICE, from: 1, to: 6 }]);
    const verdicts = [inside, beyond, late].map((s) => feedVerdict(c, GROUP, DOC, s));
    console.log(`[SNAP-3] removed author: inside=${verdicts[0]} beyond=${verdicts[1]} own counter past cutoff=${verdicts[2]}`);
    expect(verdicts).toEqual(['allow', 'cut', 'cut']);
  });
});
