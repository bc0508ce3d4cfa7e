import { describe, expect, it } from 'vitest';
import { isKithError, type ErrorCode } from '../../errors.js';
import type { UserId } from '../../ids.js';
import { groupConversationId } from './group-conversation-id.js';
import { MEMBERSHIP_LIMITS, type MemberOpBody } from './member-op.js';
import { decodeMemberOp } from './member-op-codec.js';
import { createMembershipLog, type MembershipLog } from './membership-log.js';
import { ALICE, BOB, CAROL, craft, createPrng, CREATED_AT, DAVE, ERIN, GROUP, MALLORY } from './membership-fixtures.js';

const createBody: MemberOpBody = {
  type: 'create',
  name: 'Climbers',
  description: 'Sundays at the wall',
  icon: null,
  members: [
    { user: BOB, role: 'admin' },
    { user: CAROL, role: 'member' },
  ],
};

function founded(): { log: MembershipLog; genesis: string } {
  const log = createMembershipLog(GROUP);
  const { hash } = log.create(ALICE, createBody, CREATED_AT);
  return { log, genesis: hash };
}

function roles(log: MembershipLog): Record<string, string> {
  return Object.fromEntries([...log.state().members.values()].map((m) => [m.user.slice(-2), m.role]));
}

function expectRefused(fn: () => unknown, code: ErrorCode): void {
  try {
    fn();
  } catch (error) {
    expect(isKithError(error, code)).toBe(true);
    return;
  }
  throw new Error(`expected a ${code} refusal`);
}

/** Builds an op on `source` without applying it anywhere else (a peer's concurrent op). */
function opOn(source: MembershipLog, author: UserId, body: MemberOpBody, at = CREATED_AT + 1): { bytes: Uint8Array; hash: string } {
  return source.create(author, body, at);
}

function replicaOf(log: MembershipLog): MembershipLog {
  const copy = createMembershipLog(log.conversation);
  for (const b of log.allOps()) {
    const decoded = decodeMemberOp(b);
    if (!decoded.ok) throw decoded.error;
    const r = copy.receive(b, decoded.value.author);
    expect(r.ok).toBe(true);
  }
  return copy;
}

describe('membership log rules', () => {
  it('MEM-1 create: the author is creator and first admin, listed members join', () => {
    const { log } = founded();
    const s = log.state();
    expect(s.created).toBe(true);
    expect(s.creator).toBe(ALICE);
    expect(s.name).toBe('Climbers');
    expect(roles(log)).toEqual({ '01': 'admin', '02': 'admin', '03': 'member' });
    expect(s.members.get(CAROL)).toEqual({ user: CAROL, role: 'member', addedBy: ALICE, joinedAt: CREATED_AT });
    expect(s.heads).toHaveLength(1);
    expect(s.removals).toBe(0);
    // What callers get is frozen: mutating it cannot corrupt the log.
    expect(Object.isFrozen(s.members.get(CAROL))).toBe(true);
    expect(Object.isFrozen(log.history()[0]!.op.body)).toBe(true);
  });

  it('MEM-1 ops before the create are pending and apply when it arrives; a second create is refused/ineffective', () => {
    const { log } = founded();
    const add = log.create(ALICE, { type: 'add', user: DAVE, role: 'member' }, CREATED_AT + 5);
    const [genesisBytes] = log.allOps();
    const late = createMembershipLog(GROUP);
    const r1 = late.receive(add.bytes, ALICE);
    expect(r1.ok && r1.value.status).toBe('pending');
    expect(late.pendingCount()).toBe(1);
    expect(late.state().created).toBe(false);
    const r2 = late.receive(genesisBytes!, ALICE);
    expect(r2.ok && r2.value.status).toBe('applied');
    expect(late.pendingCount()).toBe(0);
    expect(late.state().members.has(DAVE)).toBe(true);
    expectRefused(() => log.create(ALICE, createBody, CREATED_AT), 'conflict');
    // A second create by the creator with the same `at` (equivocation) is ineffective, whichever sorts first.
    const rival = craft({ author: ALICE, body: { ...createBody, name: 'Rival' } });
    const r3 = late.receive(rival.bytes, ALICE);
    expect(r3.ok).toBe(true);
    const effectiveCreates = late.history().filter((h) => h.op.body.type === 'create' && h.effective);
    expect(effectiveCreates).toHaveLength(1);
  });

  it('MEM-0 a create by anyone but the creator bound into the conversation id is refused (no hijack)', () => {
    const { log } = founded();
    const hijack = craft({ author: MALLORY, body: { ...createBody, members: [] } });
    const r = log.receive(hijack.bytes, MALLORY);
    expect(!r.ok && r.error.code).toBe('unauthorized');
    const other = createMembershipLog(groupConversationId(BOB, 5));
    expectRefused(() => other.create(ALICE, createBody, 5), 'invalid_argument');
    expect(log.state().creator).toBe(ALICE);
  });

  it('MEM-1 lamport must be exactly 1 + the greatest parent lamport', () => {
    const { log, genesis } = founded();
    const bad = craft({ author: ALICE, parents: [genesis], lamport: 3, body: { type: 'add', user: DAVE, role: 'member' } });
    const r = log.receive(bad.bytes, ALICE);
    expect(!r.ok && r.error.code).toBe('malformed');
    // The same when the parent arrives after the child: the child is dropped, and so are its descendants.
    const late = createMembershipLog(GROUP);
    expect(late.receive(bad.bytes, ALICE).ok).toBe(true);
    const child = craft({ author: ALICE, parents: [bad.hash], lamport: 4, body: { type: 'add', user: ERIN, role: 'member' } });
    expect(late.receive(child.bytes, ALICE).ok).toBe(true);
    expect(late.pendingCount()).toBe(2);
    expect(late.receive(log.allOps()[0]!, ALICE).ok).toBe(true);
    expect(late.pendingCount()).toBe(0);
    expect(late.history()).toHaveLength(1);
    expect(late.receive(child.bytes, ALICE).ok).toBe(false);
  });

  it('receive checks the proven author and the conversation; duplicates are idempotent', () => {
    const { log } = founded();
    const add = log.create(ALICE, { type: 'add', user: DAVE, role: 'member' }, CREATED_AT + 1);
    const r = log.receive(add.bytes, BOB);
    expect(!r.ok && r.error.code).toBe('unauthorized');
    const dup = log.receive(add.bytes, ALICE);
    expect(dup.ok && dup.value.status).toBe('duplicate');
    expect(log.history()).toHaveLength(2);
    const elsewhere = createMembershipLog(groupConversationId(ALICE, 1));
    const r2 = elsewhere.receive(add.bytes, ALICE);
    expect(!r2.ok && r2.error.code).toBe('unauthorized');
  });

  it('MEM-2 / MEM-5 a non-admin add has no effect; create() refuses it with not_an_admin', () => {
    const { log, genesis } = founded();
    expectRefused(() => log.create(CAROL, { type: 'add', user: MALLORY, role: 'admin' }, CREATED_AT + 1), 'not_an_admin');
    expectRefused(() => log.create(MALLORY, { type: 'add', user: MALLORY, role: 'admin' }, CREATED_AT + 1), 'not_a_member');
    const before = log.state();
    for (const author of [CAROL, MALLORY]) {
      const op = craft({ author, parents: [genesis], lamport: 2, body: { type: 'add', user: MALLORY, role: 'admin' } });
      const r = log.receive(op.bytes, author);
      expect(r.ok && r.value.status).toBe('applied');
    }
    const after = log.state();
    expect(after.members).toEqual(before.members);
    const effective = log.history().filter((h) => h.effective).length;
    console.log(`non-admin adds: received=2 effective=${log.history().length - effective === 2 ? 0 : 'BUG'} members=${after.members.size}`);
    expect(after.members.has(MALLORY)).toBe(false);
    expect(log.history().filter((h) => h.op.body.type === 'add' && h.effective)).toHaveLength(0);
  });

  it('MEM-2 add of a member / removal of a non-member / leave by a non-member are refused', () => {
    const { log } = founded();
    expectRefused(() => log.create(ALICE, { type: 'add', user: CAROL, role: 'member' }, 2), 'conflict');
    expectRefused(() => log.create(ALICE, { type: 'remove', user: DAVE, cutoff: {} }, 2), 'conflict');
    expectRefused(() => log.create(DAVE, { type: 'leave' }, 2), 'not_a_member');
    expectRefused(() => log.create(ALICE, { type: 'role', user: CAROL, role: 'member' }, 2), 'conflict');
    expectRefused(() => log.create(CAROL, { type: 'info', name: 'x' }, 2), 'not_an_admin');
    expectRefused(() => log.create(ALICE, { type: 'info', name: '' }, 2), 'invalid_argument');
  });

  it('remove / leave / role / info take effect and count removals', () => {
    const { log } = founded();
    const cutoff = { [`feed:${GROUP}:${CAROL}:0|${DAVE}`]: 7 };
    log.create(BOB, { type: 'remove', user: CAROL, cutoff }, CREATED_AT + 10);
    log.create(ALICE, { type: 'add', user: DAVE, role: 'member' }, CREATED_AT + 11);
    log.create(ALICE, { type: 'role', user: DAVE, role: 'admin' }, CREATED_AT + 12);
    log.create(BOB, { type: 'leave' }, CREATED_AT + 13);
    log.create(DAVE, { type: 'info', description: 'new', icon: 'blob:1' }, CREATED_AT + 14);
    const s = log.state();
    expect(roles(log)).toEqual({ '01': 'admin', '04': 'admin' });
    expect(s.former.get(CAROL)).toMatchObject({ leftAt: CREATED_AT + 10, role: 'member' });
    expect(s.former.get(BOB)).toMatchObject({ leftAt: CREATED_AT + 13 });
    expect(s.cutoffs.get(CAROL)).toEqual(cutoff);
    expect(s.cutoffs.get(BOB)).toEqual({}); // H2: a leave without a cutoff counts as an empty one
    expect(s.removals).toBe(2);
    expect([s.name, s.description, s.icon]).toEqual(['Climbers', 'new', 'blob:1']);
    expect(log.history().every((h) => h.effective)).toBe(true);
  });

  it('MEM-4 when the last admin leaves, the longest-standing member becomes admin', () => {
    const log = createMembershipLog(GROUP);
    log.create(ALICE, { ...createBody, members: [{ user: CAROL, role: 'member' }, { user: BOB, role: 'member' }] }, CREATED_AT);
    log.create(ALICE, { type: 'add', user: ERIN, role: 'member' }, CREATED_AT - 100); // earlier joinedAt, by clock skew
    log.create(ALICE, { type: 'leave' }, CREATED_AT + 1);
    // ERIN joined "earliest" (joinedAt is the op's at); BOB and CAROL tie on joinedAt, BOB has the smaller id.
    expect(roles(log)).toEqual({ '02': 'member', '03': 'member', '05': 'admin' });
    log.create(ERIN, { type: 'leave' }, CREATED_AT + 2);
    expect(roles(log)).toEqual({ '02': 'admin', '03': 'member' });
    expectRefused(() => log.create(BOB, { type: 'role', user: BOB, role: 'member' }, CREATED_AT + 3), 'conflict');
  });

  it('MEM-5 a removed member can be re-added with a new joinedAt; the old cutoff is cleared', () => {
    const { log } = founded();
    log.create(ALICE, { type: 'remove', user: CAROL, cutoff: {} }, CREATED_AT + 1);
    log.create(ALICE, { type: 'add', user: CAROL, role: 'member' }, CREATED_AT + 50);
    const s = log.state();
    expect(s.members.get(CAROL)).toEqual({ user: CAROL, role: 'member', addedBy: ALICE, joinedAt: CREATED_AT + 50 });
    expect(s.former.has(CAROL)).toBe(false);
    expect(s.cutoffs.has(CAROL)).toBe(false);
    expect(s.removals).toBe(1);
  });

  it('MEM-7 two admins removing each other concurrently: the more senior wins, on every replica, whatever sorts first', () => {
    for (let i = 0; i < 8; i++) {
      const log = createMembershipLog(GROUP);
      log.create(ALICE, { ...createBody, members: [{ user: BOB, role: 'admin' }, { user: CAROL, role: 'admin' }] }, CREATED_AT);
      const a = replicaOf(log);
      const b = replicaOf(log);
      const c = replicaOf(log);
      const x = opOn(b, BOB, { type: 'remove', user: CAROL, cutoff: {} }, CREATED_AT + i);
      // CAROL's client would refuse this; a modified client signs it anyway.
      const y = craft({ author: CAROL, parents: c.state().heads, lamport: 2, at: CREATED_AT + 50 + i, body: { type: 'remove', user: BOB, cutoff: {} } });
      for (const r of [a, b, c]) {
        r.receive(x.bytes, BOB);
        r.receive(y.bytes, CAROL);
      }
      expect(b.state()).toEqual(a.state());
      expect(c.state()).toEqual(a.state());
      // BOB is listed before CAROL in the create: BOB is senior.
      expect([...a.state().members.keys()].sort()).toEqual([ALICE, BOB]);
      expect(a.state().removals).toBe(1);
    }
  });

  it('MEM-7 an admin may remove or demote only junior admins (the creator only by leaving)', () => {
    const { log } = founded();
    log.create(ALICE, { type: 'add', user: DAVE, role: 'admin' }, CREATED_AT + 1);
    expectRefused(() => log.create(BOB, { type: 'remove', user: ALICE, cutoff: {} }, 2), 'not_an_admin');
    expectRefused(() => log.create(DAVE, { type: 'role', user: BOB, role: 'member' }, 2), 'not_an_admin');
    log.create(BOB, { type: 'role', user: DAVE, role: 'member' }, CREATED_AT + 2);
    log.create(DAVE, { type: 'leave' }, CREATED_AT + 3);
    log.create(BOB, { type: 'role', user: BOB, role: 'member' }, CREATED_AT + 4);
    expect(roles(log)).toEqual({ '01': 'admin', '02': 'member', '03': 'member' });
  });

  it('MEM-6 an admin demoted concurrently with their add: the add has no effect, whichever sorts first', () => {
    for (let i = 0; i < 8; i++) {
      const { log } = founded();
      const a = replicaOf(log);
      const b = replicaOf(log);
      const demote = opOn(a, ALICE, { type: 'role', user: BOB, role: 'member' }, CREATED_AT + i);
      const add = opOn(b, BOB, { type: 'add', user: MALLORY, role: 'admin' }, CREATED_AT + 100 + i);
      a.receive(add.bytes, BOB);
      b.receive(demote.bytes, ALICE);
      expect(a.state()).toEqual(b.state());
      expect(a.state().members.has(MALLORY)).toBe(false);
      expect(a.state().members.get(BOB)?.role).toBe('member');
    }
  });

  it('MEM-6 a removed admin cannot backdate ops: an op with stale parents is vetoed by the removal', () => {
    const { log, genesis } = founded();
    log.create(ALICE, { type: 'add', user: DAVE, role: 'member' }, CREATED_AT + 1);
    log.create(ALICE, { type: 'remove', user: BOB, cutoff: {} }, CREATED_AT + 2);
    // BOB, removed, signs ops whose parent is the genesis, so they sort before his removal.
    const backdated = [
      craft({ author: BOB, parents: [genesis], lamport: 2, at: CREATED_AT + 9, body: { type: 'add', user: MALLORY, role: 'admin' } }),
      craft({ author: BOB, parents: [genesis], lamport: 2, at: CREATED_AT + 9, body: { type: 'remove', user: ALICE, cutoff: {} } }),
      craft({ author: BOB, parents: [genesis], lamport: 2, at: CREATED_AT + 9, body: { type: 'info', name: 'pwned' } }),
    ];
    for (const op of backdated) expect(log.receive(op.bytes, BOB).ok).toBe(true);
    const s = log.state();
    expect(s.members.has(MALLORY)).toBe(false);
    expect(s.members.get(ALICE)?.role).toBe('admin');
    expect(s.name).toBe('Climbers');
    expect(s.members.has(BOB)).toBe(false);
    const fresh = replicaOf(log);
    expect(fresh.state()).toEqual(s);
  });

  it('MEM-6 ops the removal knew about stay effective', () => {
    const { log } = founded();
    log.create(BOB, { type: 'add', user: DAVE, role: 'member' }, CREATED_AT + 1);
    log.create(ALICE, { type: 'remove', user: BOB, cutoff: {} }, CREATED_AT + 2);
    expect(log.state().members.has(DAVE)).toBe(true);
    expect(log.history().every((h) => h.effective)).toBe(true);
  });

  it('limits: pending ops are bounded (10,000 by default); the group holds at most 1,024 members', () => {
    expect(MEMBERSHIP_LIMITS.maxPending).toBe(10_000);
    const log = createMembershipLog(GROUP, { maxPending: 100 });
    const orphanParent = 'f'.repeat(64);
    let refused = 0;
    for (let i = 0; i < 101; i++) {
      const op = craft({ author: ALICE, parents: [orphanParent], lamport: 2, at: i, body: { type: 'leave' } });
      const r = log.receive(op.bytes, ALICE);
      if (!r.ok) {
        expect(r.error.code).toBe('too_large');
        refused++;
      }
    }
    expect(log.pendingCount()).toBe(100);
    expect(refused).toBe(1);
    const big = createMembershipLog(GROUP);
    const extra = (i: number): UserId => `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}` as UserId;
    const members = Array.from({ length: 1000 }, (_, i) => ({ user: extra(i), role: 'member' as const }));
    const full = big.create(ALICE, { ...createBody, members }, CREATED_AT);
    expect(full.bytes.length).toBeLessThanOrEqual(64 * 1024);
    for (let i = 1000; i < 1023; i++) big.create(ALICE, { type: 'add', user: extra(i), role: 'member' }, i);
    expect(big.state().members.size).toBe(1024);
    expectRefused(() => big.create(ALICE, { type: 'add', user: MALLORY, role: 'member' }, 1), 'conflict');
    expectRefused(() => createMembershipLog(GROUP).create(ALICE, { ...createBody, members: [...members, { user: MALLORY, role: 'member' }] }, CREATED_AT), 'invalid_argument');
  });

  it('a flood of 100 concurrent heads does not block admins: create() names the 64 latest and sorts last', () => {
    const { log, genesis } = founded();
    for (let i = 0; i < 100; i++) {
      const spam = craft({ author: CAROL, parents: [genesis], lamport: 2, at: i, body: { type: 'info', name: `spam ${i}` } });
      expect(log.receive(spam.bytes, CAROL).ok).toBe(true);
    }
    expect(log.state().heads).toHaveLength(100);
    const add = log.create(ALICE, { type: 'add', user: DAVE, role: 'member' }, CREATED_AT + 1);
    expect(add.op.parents).toHaveLength(64);
    expect(log.history().at(-1)?.hash).toBe(add.hash);
    expect(log.state().heads).toHaveLength(37);
    log.create(ALICE, { type: 'add', user: ERIN, role: 'member' }, CREATED_AT + 2);
    expect(log.state().heads).toHaveLength(1);
    expect(log.state().name).toBe('Climbers');
  });

  it('fuzz: receive never throws on random or mutated ops, and the state keeps an admin', () => {
    const seed = Number(process.env['SEED'] ?? Date.now() % 1_000_000);
    const rng = createPrng(seed);
    const { log: source } = founded();
    source.create(ALICE, { type: 'add', user: DAVE, role: 'member' }, CREATED_AT + 1);
    source.create(BOB, { type: 'remove', user: CAROL, cutoff: { [`feed:${GROUP}:${CAROL}:0|${DAVE}`]: 3 } }, CREATED_AT + 2);
    source.create(ALICE, { type: 'info', name: 'n', description: 'd' }, CREATED_AT + 3);
    const corpus = source.allOps();
    const target = replicaOf(source);
    let accepted = 0;
    let inputs = 0;
    try {
      for (; inputs < 1500; inputs++) {
        const input = rng.pick(corpus).slice();
        for (let f = 1 + rng.int(3); f > 0; f--) input[rng.int(input.length)] = rng.int(256);
        const r = target.receive(input, rng.pick([ALICE, BOB, CAROL]));
        if (r.ok) accepted++;
        else if (!isKithError(r.error)) throw new Error('untyped error');
      }
    } catch (error) {
      console.log(`membership receive fuzz failed: SEED=${seed}`);
      throw error;
    }
    const s = target.state();
    expect([...s.members.values()].some((m) => m.role === 'admin')).toBe(true);
    console.log(`membership receive fuzz: seed=${seed} inputs=${inputs} accepted=${accepted} throws=0 members=${s.members.size}`);
  });

  it('listeners see each applied change; unsubscribe stops them; a throwing listener breaks nothing', () => {
    const { log } = founded();
    const seen: number[] = [];
    const off = log.on((s) => seen.push(s.members.size));
    log.on(() => {
      throw new Error('listener bug');
    });
    log.create(ALICE, { type: 'add', user: DAVE, role: 'member' }, 1);
    off();
    log.create(ALICE, { type: 'add', user: ERIN, role: 'member' }, 2);
    expect(seen).toEqual([4]);
    expect(log.state().members.size).toBe(5);
  });
});
