import { describe, expect, it } from 'vitest';
import { isKithError } from '../../errors.js';
import type { UserId } from '../../ids.js';
import { isAdminOp, type MemberOp, type MemberOpBody, type Role } from './member-op.js';
import { decodeMemberOp } from './member-op-codec.js';
import { createMembershipLog, type MembershipLog, type MembershipState } from './membership-log.js';
import { craft, createPrng, CREATED_AT, GROUP, user } from './membership-fixtures.js';
import { applyMemberOp, checkMemberOp, emptyFoldState, type FoldState } from './membership-rules.js';

/**
 * MEM-3: the same set of ops gives the same state on every replica, whatever the arrival order
 * and duplicates. Several admins and members act concurrently on partial views (and a few sign
 * ops from stale views, as a modified client could); every op reaches every replica in a
 * random order with duplicates; then all replicas, a late joiner fed in reverse order and an
 * independent from-scratch fold must agree.
 */
type Prng = ReturnType<typeof createPrng>;
interface Sent {
  bytes: Uint8Array;
  author: UserId;
  hash: string;
}

const POOL = Array.from({ length: 9 }, (_, i) => user(i + 1));
const ACTORS = POOL.slice(0, 6);

function stable(s: MembershipState): string {
  const sorted = <V>(m: ReadonlyMap<string, V>): Array<[string, V]> => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify({ ...s, members: sorted(s.members), former: sorted(s.former), cutoffs: sorted(s.cutoffs) });
}

function decode(bytes: Uint8Array): MemberOp {
  const r = decodeMemberOp(bytes);
  if (!r.ok) throw r.error;
  return r.value;
}

/** A random op, aimed (mostly) at what the actor's current view makes meaningful. */
function randomBody(rng: Prng, view: MembershipState): MemberOpBody {
  const members = [...view.members.keys()];
  const outsiders = POOL.filter((u) => !view.members.has(u));
  const aimed = rng.next() < 0.8;
  const target = aimed && members.length > 0 ? rng.pick(members) : rng.pick(POOL);
  const role: Role = rng.next() < 0.4 ? 'admin' : 'member';
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
      return { type: 'add', user: aimed && outsiders.length > 0 ? rng.pick(outsiders) : rng.pick(POOL), role };
    case 3:
    case 4:
      return { type: 'remove', user: target, cutoff: rng.next() < 0.3 ? { [`feed:${GROUP}:${target}:0|${target}`]: rng.int(50) } : {} };
    case 5:
    case 6: {
      const current = view.members.get(target)?.role;
      return { type: 'role', user: target, role: aimed && current !== undefined ? (current === 'admin' ? 'member' : 'admin') : role };
    }
    case 7:
      return { type: 'info', name: `name ${rng.int(100)}` };
    case 8:
      return { type: 'leave' };
    default:
      return { type: 'add', user: rng.pick(POOL), role };
  }
}

/** An independent, from-scratch fold of the whole set (the oracle for the incremental log). */
function referenceFold(ops: Map<string, MemberOp>): { state: FoldState; effective: Map<string, boolean>; vetoed: number } {
  const order = [...ops.entries()].sort(([ha, a], [hb, b]) => a.lamport - b.lamport || (ha < hb ? -1 : 1));
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (h: string): Set<string> => {
    let set = ancestors.get(h);
    if (set !== undefined) return set;
    set = new Set<string>();
    for (const p of ops.get(h)!.parents) {
      set.add(p);
      for (const a of ancestorsOf(p)) set.add(a);
    }
    ancestors.set(h, set);
    return set;
  };
  const vetoed = new Set<string>();
  for (;;) {
    const state = emptyFoldState();
    const effective = new Map<string, boolean>();
    let found = false;
    for (let j = 0; j < order.length && !found; j++) {
      const [hash, op] = order[j]!;
      const ok = !vetoed.has(hash) && checkMemberOp(state, op) === null;
      effective.set(hash, ok);
      if (!ok) continue;
      for (const { user: x, since } of applyMemberOp(state, op, j)) {
        for (let k = since; k < j; k++) {
          const [h, o] = order[k]!;
          if (o.author === x && effective.get(h) === true && isAdminOp(o.body.type) && !ancestorsOf(hash).has(h)) {
            vetoed.add(h);
            found = true;
          }
        }
      }
    }
    if (!found) return { state, effective, vetoed: vetoed.size };
  }
}

function runRound(seed: number, stats: Record<string, number>): void {
  const rng = createPrng(seed);
  const replicas = new Map<UserId, MembershipLog>(ACTORS.map((u) => [u, createMembershipLog(GROUP)]));
  const observer = createMembershipLog(GROUP);
  const sent: Sent[] = [];
  const creator = ACTORS[0]!;
  const genesis = replicas.get(creator)!.create(
    creator,
    { type: 'create', name: 'g', description: '', icon: null, members: [{ user: POOL[1]!, role: 'admin' }, { user: POOL[2]!, role: 'admin' }, { user: POOL[3]!, role: 'member' }] },
    CREATED_AT,
  );
  sent.push({ bytes: genesis.bytes, author: creator, hash: genesis.hash });
  let clock = CREATED_AT;
  const deliver = (to: MembershipLog, s: Sent): void => {
    const r = to.receive(s.bytes, s.author);
    if (!r.ok) throw r.error;
    stats['deliveries']!++;
    if (r.value.status === 'duplicate') stats['duplicates']!++;
  };
  // Mostly short rounds; every tenth a long one (longer histories, deeper refolds).
  const steps = seed % 10 === 0 ? 600 : 60 + rng.int(120);
  for (let step = 0; step < steps; step++) {
    const actor = rng.pick(ACTORS);
    const log = replicas.get(actor)!;
    if (rng.next() < 0.45) {
      // Deliver something (possibly a duplicate, possibly out of causal order).
      deliver(log, rng.pick(sent));
      continue;
    }
    clock += 1 + rng.int(3);
    if (rng.next() < 0.12 && log.history().length > 0) {
      // A modified client signs an op on a stale view (backdating).
      const parent = rng.pick(log.history());
      const op = craft({ author: actor, parents: [parent.hash], lamport: parent.op.lamport + 1, at: clock, body: randomBody(rng, log.state()) });
      deliver(log, { bytes: op.bytes, author: actor, hash: op.hash });
      sent.push({ bytes: op.bytes, author: actor, hash: op.hash });
      stats['stale']!++;
      continue;
    }
    try {
      const made = log.create(actor, randomBody(rng, log.state()), clock);
      sent.push({ bytes: made.bytes, author: actor, hash: made.hash });
      stats['created']!++;
    } catch (error) {
      if (!isKithError(error)) throw error;
      stats['refused']!++;
    }
  }
  // Every op reaches every replica, in a random order, with duplicates.
  for (const log of [...replicas.values(), observer]) {
    const queue = [...sent, ...sent.filter(() => rng.next() < 0.2)];
    for (let i = queue.length - 1; i > 0; i--) {
      const k = rng.int(i + 1);
      [queue[i], queue[k]] = [queue[k]!, queue[i]!];
    }
    for (const s of queue) {
      deliver(log, s);
      stats['maxPending'] = Math.max(stats['maxPending']!, log.pendingCount());
    }
  }
  // A late joiner catching up from allOps() in reverse (every op but the last waits).
  const first = replicas.get(creator)!;
  const late = createMembershipLog(GROUP);
  for (const b of [...first.allOps()].reverse()) {
    const r = late.receive(b, decode(b).author);
    if (!r.ok) throw r.error;
  }
  const all = [...replicas.values(), observer, late];
  const expected = stable(first.state());
  const expectedHistory = JSON.stringify(first.history().map((h) => [h.hash, h.effective]));
  for (const log of all) {
    expect(log.pendingCount()).toBe(0);
    expect(stable(log.state())).toBe(expected);
    expect(JSON.stringify(log.history().map((h) => [h.hash, h.effective]))).toBe(expectedHistory);
  }
  // The from-scratch oracle.
  const ref = referenceFold(new Map(first.history().map((h) => [h.hash, h.op])));
  for (const h of first.history()) expect(ref.effective.get(h.hash)).toBe(h.effective);
  const s = first.state();
  expect(stable({ ...s, members: ref.state.members, former: ref.state.former, cutoffs: ref.state.cutoffs, removals: ref.state.removals })).toBe(expected);
  // Invariants.
  const admins = [...s.members.values()].filter((m) => m.role === 'admin').length;
  if (s.members.size > 0) expect(admins).toBeGreaterThan(0);
  for (const u of s.members.keys()) expect(s.former.has(u)).toBe(false);
  const history = first.history();
  stats['ops']! += history.length;
  stats['ineffective']! += history.filter((h) => !h.effective).length;
  stats['concurrent']! += history.filter((h, i) => i > 0 && history[i - 1]!.op.lamport === h.op.lamport).length;
  stats['removals']! += s.removals;
  stats['vetoed']! += ref.vetoed;
}

describe('membership convergence (MEM-3)', () => {
  it('MEM-3 fixed seeds (a reproducible corpus; add failing seeds here)', () => {
    const stats: Record<string, number> = {
      ops: 0, ineffective: 0, concurrent: 0, created: 0, refused: 0, stale: 0, deliveries: 0, duplicates: 0, maxPending: 0, removals: 0, vetoed: 0,
    };
    for (const seed of [1, 2, 3, 42, 1337]) runRound(seed, stats);
    console.log(`membership convergence fixed seeds: ${Object.entries(stats).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    expect(stats['ops']).toBeGreaterThan(0);
  });

  it('MEM-3 replicas receiving the same ops in random orders with duplicates converge, and match a from-scratch fold', () => {
    const base = Number(process.env['SEED'] ?? Date.now() % 1_000_000);
    const budget = Number(process.env['FUZZ_BUDGET_MS'] ?? 2500);
    const stats: Record<string, number> = {
      rounds: 0, ops: 0, ineffective: 0, concurrent: 0, created: 0, refused: 0, stale: 0, deliveries: 0, duplicates: 0, maxPending: 0, removals: 0, vetoed: 0,
    };
    const started = performance.now();
    let seed = base;
    try {
      while (stats['rounds']! < 5 || performance.now() - started < budget) {
        runRound(seed, stats);
        stats['rounds']!++;
        seed++;
      }
    } catch (error) {
      console.log(`membership convergence failed: SEED=${seed} (base ${base})`);
      throw error;
    }
    console.log(`membership convergence: seed=${base} ${Object.entries(stats).map(([k, v]) => `${k}=${v}`).join(' ')} replicas=8 mismatches=0`);
    expect(stats['ineffective']).toBeGreaterThan(0);
    expect(stats['concurrent']).toBeGreaterThan(0);
    expect(stats['vetoed']).toBeGreaterThan(0);
  });
});
