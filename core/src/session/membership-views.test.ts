import { describe, expect, it } from 'vitest';
import { createCrdtBackend } from '../crdt/index.js';
import type { DeviceId, UserId } from '../ids.js';
import { createKith, type Kith } from '../kith.js';
import { changeKey, type DocChange } from '../protocol/doc-change.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createManualClock, createSeededRandom } from '../testing/index.js';
import { loadMembershipViews } from './membership-views.js';

const ALICE = '0a000000-0000-4000-8000-000000000001' as UserId;
const BOB = '0b000000-0000-4000-8000-000000000002' as UserId;
const DEVICE = '0d000000-0000-4000-8000-000000000003' as DeviceId;

async function aliceWithGroup(): Promise<{ kith: Kith; conv: ReturnType<Kith['membershipGroups']>[number]; ops: DocChange[] }> {
  const kith = await createKith({ user: ALICE, username: 'alice', device: DEVICE, backend: createCrdtBackend('automerge'), clock: createManualClock(1_700_000_000_000), random: createSeededRandom('views') });
  const group = await kith.groups.create({ name: 'G', members: [BOB] });
  await kith.groups.removeMember(group.id, BOB);
  await kith.idle();
  // The create, alice's own card (DIR-2, it changes no membership) and the removal.
  const ops = kith.outbox().filter((c) => c.kind === 'member');
  return { kith, conv: group.id, ops };
}

/**
 * One membership fold (ADR 0014 addendum): the session reads the ENGINE's log, but an own op
 * enters its view only when it reaches sealing, in outbox order — KEY-9's `raised` and the
 * AUTH-1 gate of a message written before my removal must not see the ops made after it.
 */
describe('membership views over the engine fold', () => {
  it('KEY-9: an own op the engine already folded is not in the view until it reaches sealing; then the removal count rises with it', async () => {
    const { kith, conv, ops } = await aliceWithGroup();
    const [create, card, remove] = ops;
    expect(ops).toHaveLength(3);
    expect(kith.membershipLog(conv)?.state().removals).toBe(1);
    const views = await loadMembershipViews(createMemoryStorage(), kith, () => false);
    expect(views.state(conv)).toBeUndefined();
    expect(views.sealing(conv, create!.payload).changed).toBe(true);
    expect(views.state(conv)?.removals).toBe(0);
    expect(views.view(conv)?.members.has(BOB)).toBe(true);
    views.sealing(conv, card!.payload);
    expect(views.state(conv)?.removals).toBe(0);
    expect(views.sealing(conv, remove!.payload).changed).toBe(true);
    expect(views.state(conv)?.removals).toBe(1);
    expect(views.state(conv)?.former.has(BOB)).toBe(true);
    // Nothing waits any more: the view is the engine's own state.
    expect(views.state(conv)).toBe(kith.membershipLog(conv)?.state());
    expect(views.sealing(conv, remove!.payload).changed).toBe(false);
  });

  it('at load the session has every op of the engine except own outbox ops with no sealed envelope', async () => {
    const { kith, conv, ops } = await aliceWithGroup();
    const sealedKeys = new Set([changeKey(ops[0]!)]);
    const told: number[] = [];
    const views = await loadMembershipViews(createMemoryStorage(), kith, (c) => sealedKeys.has(changeKey(c)), (_c, v) => void told.push(v.removals));
    expect(views.groups()).toEqual([conv]);
    expect(views.state(conv)?.members.has(BOB)).toBe(true);
    expect(told).toEqual([0]);
    const all = await loadMembershipViews(createMemoryStorage(), kith, () => true);
    expect(all.state(conv)?.removals).toBe(1);
  });

  it('deletes the records of the former session replica (`sync/mop/…`) at load', async () => {
    const { kith } = await aliceWithGroup();
    const storage = createMemoryStorage();
    await storage.commit([{ type: 'putMeta', key: 'sync/mop/c/h', value: { a: ALICE, b: '' } }, { type: 'putMeta', key: 'sync/direct/d', value: [ALICE, BOB] }]);
    const views = await loadMembershipViews(storage, kith, () => false);
    expect(await storage.listMeta('sync/mop/')).toEqual([]);
    expect(views.isDirect('d' as never)).toBe(true);
  });
});
