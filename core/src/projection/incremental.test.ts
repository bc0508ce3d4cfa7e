import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ConversationId } from '../ids.js';
import type { PeerHarness } from '../testing/peer-harness.js';
import type { SeededRandom } from '../testing/seeded-random.js';
import type { Projection } from './create-projection.js';
import type { ProjectionDb } from './projection-schema.js';
import { isKithError } from '../errors.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { createSeededRandom, seedFromEnv } from '../testing/seeded-random.js';
import { fuzzBudgetMs, withSeed } from '../testing/fuzz-env.js';
import { createProjection } from './create-projection.js';
import { openProjectionDb, PROJECTION_TABLES } from './projection-schema.js';

/**
 * ADR 0008 § Incremental maintenance: after a seeded random sequence of domain operations by
 * three people (messages, edits, deletes, reactions, receipts, chat state, membership, calls,
 * contacts, profiles), the rows the projection maintained from events equal the rows a rebuild
 * from the engine's documents produces — for the viewer who acted and for one who only received.
 */
const EMOJI = ['👍', '❤️', '😂', '🎉'];
const NAMES = ['alice', 'bob', 'carol'];

async function tolerate(op: Promise<unknown>): Promise<boolean> {
  try {
    await op;
    return true;
  } catch (error) {
    if (isKithError(error)) return false;
    throw error;
  }
}

export async function dumpProjection(db: ProjectionDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of PROJECTION_TABLES) if (t !== 'meta') out[t] = await db.table(t).toArray();
  return out;
}

/** Per table: rows only in `a`, only in `b`, and differing (as JSON), for a readable failure. */
function diffDumps(a: Record<string, unknown[]>, b: Record<string, unknown[]>): string[] {
  const out: string[] = [];
  for (const t of Object.keys(a)) {
    const sa = new Set((a[t] ?? []).map((r) => JSON.stringify(r)));
    const sb = new Set((b[t] ?? []).map((r) => JSON.stringify(r)));
    for (const r of sa) if (!sb.has(r)) out.push(`${t} incremental-only ${r}`);
    for (const r of sb) if (!sa.has(r)) out.push(`${t} rebuild-only ${r}`);
  }
  return out;
}

async function randomOp(h: PeerHarness, r: SeededRandom, convs: ConversationId[], removals: boolean): Promise<string> {
  const name = r.pick(NAMES);
  const kith = h.peer(name);
  const mineConvs = kith.conversations.list().map((c) => c.id).filter((c) => convs.includes(c));
  if (mineConvs.length === 0) return 'idle';
  const conv = r.pick(mineConvs);
  const page = await kith.messages.page(conv, { limit: 20 }).catch(() => []);
  const mine = page.filter((m) => m.author === kith.user && !m.deleted);
  const any = page.length > 0 ? r.pick(page) : undefined;
  const roll = r.int(100);
  if (roll < 30 || any === undefined) {
    const reply = r.chance(0.2) && any !== undefined ? { replyTo: any.id } : {};
    await tolerate(kith.messages.send(conv, { text: `m${r.int(1e6)}`, ...reply }));
    return 'send';
  }
  if (roll < 38 && mine.length > 0) return (await tolerate(kith.messages.edit(conv, r.pick(mine).id, `edit ${r.int(1e6)}`))) ? 'edit' : 'refused';
  if (roll < 43 && mine.length > 0) return (await tolerate(kith.messages.delete(conv, r.pick(mine).id))) ? 'delete' : 'refused';
  if (roll < 56) return (await tolerate(kith.messages.react(conv, any.id, r.chance(0.3) ? null : r.pick(EMOJI)))) ? 'react' : 'refused';
  if (roll < 68) {
    const op = r.chance(0.5) ? kith.receipts.markRead(conv, any.id) : kith.receipts.markDelivered(conv, any.id);
    return (await tolerate(op)) ? 'receipt' : 'refused';
  }
  if (roll < 76) {
    const patch = r.pick([{ pinned: r.chance(0.5) }, { archived: r.chance(0.4) }, { clearedUpTo: any.id }, { mutedUntil: r.chance(0.5) ? null : h.clock.now() + 1000 }]);
    return (await tolerate(kith.conversations.setState(conv, patch))) ? 'state' : 'refused';
  }
  if (roll < 84) {
    const g = h.peer(r.pick(['alice', 'bob'])).groups;
    const target = h.user(r.pick(['bob', 'carol']));
    const group = convs[0]!;
    const which = removals ? r.int(3) : r.pick([0, 2]);
    const op = which === 0 ? g.addMember(group, target) : which === 1 ? g.removeMember(group, target) : g.setRole(group, target, r.chance(0.5) ? 'admin' : 'member');
    return (await tolerate(op)) ? 'membership' : 'refused';
  }
  if (roll < 90) {
    const calls = kith.calls.list(conv);
    const call = calls.length > 0 && r.chance(0.6) ? r.pick(calls) : undefined;
    if (call === undefined) return (await tolerate(kith.calls.start(conv, r.chance(0.5) ? 'voice' : 'video'))) ? 'call' : 'refused';
    const op = r.pick([() => kith.calls.answer(conv, call.id), () => kith.calls.decline(conv, call.id), () => kith.calls.end(conv, call.id)])();
    return (await tolerate(op)) ? 'call' : 'refused';
  }
  if (roll < 95) return (await tolerate(kith.profile.update({ displayName: `${name} ${r.int(100)}` }))) ? 'profile' : 'refused';
  const other = h.user(r.pick(NAMES.filter((n) => n !== name)));
  const op = r.pick([() => kith.contacts.request(other), () => kith.contacts.accept(other), () => kith.contacts.block(other), () => kith.contacts.unblock(other)])();
  return (await tolerate(op)) ? 'contact' : 'refused';
}

async function settle(h: PeerHarness, projections: Projection[]): Promise<void> {
  await h.flush();
  for (const n of NAMES) await h.peer(n).idle();
  for (const p of projections) await p.idle();
}

async function runRound(seed: string, removals: boolean): Promise<{ ops: number; counts: Map<string, number>; rows: number; flushes: number }> {
  const r = createSeededRandom(seed);
  const h = await createPeerHarness({ backend: createYjsBackend(), seed, peers: NAMES, chunkMessages: 5 });
  const idb = new IDBFactory();
  const open = (name: string) => openProjectionDb({ name, indexedDB: idb, IDBKeyRange });
  // Projections follow the engines from the start: everything below arrives as events.
  const live = [
    await createProjection({ kith: h.peer('alice'), db: await open('alice-live') }),
    await createProjection({ kith: h.peer('carol'), db: await open('carol-live') }),
  ];
  const group = await h.peer('alice').groups.create({ name: 'fuzz', members: [h.user('bob'), h.user('carol')] });
  const direct = (await h.peer('alice').conversations.openDirect(h.user('carol'))).id;
  await settle(h, live);
  const counts = new Map<string, number>();
  const steps = 25 + r.int(25);
  for (let i = 0; i < steps; i++) {
    h.clock.advance(1 + r.int(3));
    const kind = await randomOp(h, r, [group.id, direct], removals);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    if (r.chance(0.3)) await settle(h, live);
  }
  await settle(h, live);
  let rows = 0;
  let flushes = 0;
  for (const [i, p] of live.entries()) {
    const incremental = await dumpProjection(p.db);
    // Oracle 1: a fresh database projected from scratch (createProjection rebuilds a new database).
    const fresh = await createProjection({ kith: p.viewer === h.user('alice') ? h.peer('alice') : h.peer('carol'), db: await open(`fresh-${i}`) });
    expect(diffDumps(incremental, await dumpProjection(fresh.db))).toEqual([]);
    // Oracle 2: rebuild() in place.
    await p.rebuild();
    expect(diffDumps(incremental, await dumpProjection(p.db))).toEqual([]);
    expect(p.stats().errors).toBe(0);
    rows += Object.values(incremental).reduce((n, t) => n + t.length, 0);
    flushes += p.stats().flushes;
    fresh.close();
    p.close();
  }
  await h.close();
  return { ops: steps, counts, rows, flushes };
}

describe('projection: incremental maintenance equals rebuild', () => {
  const budget = fuzzBudgetMs(2000);
  it('after seeded random domain operations (SEED, FUZZ_BUDGET_MS)', async () => {
    const base = seedFromEnv();
    const started = Date.now();
    let rounds = 0;
    let ops = 0;
    let rows = 0;
    let flushes = 0;
    const kinds = new Map<string, number>();
    do {
      // Round 0 runs the base seed itself, so the seed a failure prints replays that round.
      const seed = rounds === 0 ? base : `${base}/${rounds}`;
      const res = await withSeed(seed, () => runRound(seed, true));
      rounds++;
      ops += res.ops;
      rows += res.rows;
      flushes += res.flushes;
      for (const [k, n] of res.counts) kinds.set(k, (kinds.get(k) ?? 0) + n);
    } while (Date.now() - started < budget);
    const mix = [...kinds].sort().map(([k, n]) => `${k}=${n}`).join(' ');
    console.log(`projection incremental==rebuild: seed=${base} rounds=${rounds} ops=${ops} rows compared=${rows} incremental flushes=${flushes} (${mix})`);
    expect(rounds).toBeGreaterThan(0);
  }, budget + 120_000); // the last round starts before the budget ends and runs to completion

  // Seeds this fuzz found failing, replayed as they are (not overridden by SEED):
  // - d8887549b893d12d/25 (ADR 0008 § Engine gaps 1, fixed): a removal's cutoff learned late
  //   retracts messages the viewer already showed; the engine now emits messageRetracted.
  // - 7/10: a call whose caller's changes a removal retracts; the engine emits `call` and the
  //   projection deletes the call's rows.
  // - 7/39: carol blocks and unblocks alice; alice's later edit of an earlier direct message
  //   erases it at carol (engine bug, see retraction-events.test.ts); the engine now says so.
  it.each(['d8887549b893d12d/25', '7/10', '7/39'])('regression: what the engine stops showing leaves the projection (replay %s)', async (seed) => {
    await withSeed(seed, () => runRound(seed, true));
  });
});
