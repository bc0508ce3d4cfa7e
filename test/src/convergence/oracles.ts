import type { ConversationId } from '@kith/core';
import { snapshotConversation, snapshotKith, type ConversationSnapshot } from '@kith/core/testing';
import type { InProcessHarness } from '../harness/presets.js';
import { checkHistory, type FinalView, type HistoryCheck } from '../harness/history.js';
import type { StepContext } from './domain-steps.js';

export interface OracleReport {
  conversations: number;
  /** Live peers that disagree with the members' common view. */
  divergent: string[];
  /** Removed members whose own (stale) view still names them. */
  staleViews: number;
  history: HistoryCheck;
  /** A peer reopened from its own database shows something else. */
  restartMismatch: string[];
  /** A fresh device of one account, filled from the relay alone, shows something else. */
  freshMismatch: string[];
  outboxLeft: number;
  held: number;
  /** Per conversation, the current members of the reference view (user ids). */
  members: Map<string, Set<string>>;
}

/** The first path where two plain values differ, with both sides (metadata only: ids, kinds, counts). */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
  }
  const show = (v: unknown): string => {
    if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'undefined';
    const o = v as Record<string, unknown>;
    const meta = ['id', 'author', 'deleted', 'user', 'status'].filter((k) => k in o).map((k) => `${k}=${String(o[k])}`);
    return `${Array.isArray(v) ? 'array' : 'object'}(${Object.keys(v).length}${meta.length === 0 ? '' : ` ${meta.join(' ')}`})`;
  };
  return `${path}: ${show(a)} vs ${show(b)}`;
}

/**
 * A `snapshotKith` without the content of people this peer blocked. A block refuses what arrives
 * after it and keeps what arrived before (engine, 0d422b6), so what a blocker shows of the blocked
 * person depends on arrival order: a restarted device agrees since that fix, but a fresh device of
 * the same account (which receives everything after the block) shows none of it. The restart and
 * fresh-device oracles leave blocked people out; the live-peer oracle already excuses them.
 */
function withoutBlocked(snap: unknown, blocked: ReadonlySet<string>): unknown {
  if (blocked.size === 0) return snap;
  const s = snap as { conversations: ConversationSnapshot[] };
  // A direct conversation with a blocked person may vanish with its messages (same bug).
  const directWithBlocked = (c: ConversationSnapshot): boolean => c.name === '' && c.members.length === 2 && c.members.some((m) => blocked.has(m.user));
  return { ...s, conversations: s.conversations.filter((c) => !directWithBlocked(c)).map((c) => comparable(c, blocked)) };
}

/** Users blocked by `user` at some point of the run. */
const blockedBy = (ctx: StepContext, user: string): ReadonlySet<string> => ctx.blocked.get(user) ?? new Set();

/** The snapshot minus what blocks legitimately hide (content of anyone a member ever blocked). */
function comparable(snap: ConversationSnapshot, excused: ReadonlySet<string>): unknown {
  if (excused.size === 0) return snap;
  return {
    ...snap,
    messages: snap.messages.filter((m) => !excused.has(m.author)).map((m) => ({ ...m, reactions: m.reactions.filter((x) => !excused.has(x.user)) })),
    receipts: snap.receipts.filter((x) => !excused.has(x.user)),
    calls: [],
  };
}

/** Records the monotone states each live peer shows now (counts per author, watermarks, membership extent). */
export async function observeAll(world: InProcessHarness, ctx: StepContext): Promise<void> {
  for (const p of world.peers.values()) {
    for (const c of p.kith.conversations.list()) {
      const snap = await snapshotConversation(p.kith, c.id);
      const counts = new Map<string, number>();
      for (const m of snap.messages) counts.set(m.author, (counts.get(m.author) ?? 0) + 1);
      for (const [author, n] of counts) ctx.history.observe(p.name, `count ${c.id} ${author}`, n);
      for (const r of snap.receipts) {
        ctx.history.observe(p.name, `delivered ${c.id} ${r.user}`, r.delivered);
        ctx.history.observe(p.name, `read ${c.id} ${r.user}`, r.read);
      }
      if (c.kind === 'group') {
        const g = p.kith.groups.get(c.id);
        ctx.history.observe(p.name, `membership ${c.id}`, ctx.extent.observe(`${p.name} ${c.id}`, g));
      }
    }
  }
}

/** `restartAll`: reopen every peer from its database (else one, picked by the seed). */
export async function finalOracles(world: InProcessHarness, ctx: StepContext, restartAll = false): Promise<OracleReport> {
  const peers = [...world.peers.values()];
  const convIds = new Set<ConversationId>();
  for (const p of peers) for (const c of p.kith.conversations.list()) convIds.add(c.id);
  const divergent: string[] = [];
  const members = new Map<string, Set<string>>();
  const finals: FinalView[] = [];
  let staleViews = 0;
  for (const conv of convIds) {
    const views = [];
    for (const p of peers) {
      const listed = p.kith.conversations.list().some((c) => c.id === conv);
      if (!listed) continue;
      const snap = await snapshotConversation(p.kith, conv);
      views.push({ p, snap });
      const mine = blockedBy(ctx, p.kith.user);
      finals.push({ peer: p.name, conv, messages: snap.messages.filter((m) => !mine.has(m.author)) });
    }
    const claim = views.filter((v) => v.snap.members.some((m) => m.user === v.p.kith.user));
    const excused = new Set<string>();
    for (const v of claim) for (const u of blockedBy(ctx, v.p.kith.user)) excused.add(u);
    const keyed = claim.map((v) => ({ ...v, key: JSON.stringify(comparable(v.snap, excused)) }));
    const classes = new Map<string, number>();
    for (const v of keyed) classes.set(v.key, (classes.get(v.key) ?? 0) + 1);
    // The reference view is one its own members all share (a removed member may keep a stale view
    // that still names others, so a plain majority can pick the stale one); the largest such class,
    // else the largest class (then every disagreeing member is reported).
    const consistent = (key: string): boolean => {
      const snap = keyed.find((v) => v.key === key)!.snap;
      return snap.members.every((m) => keyed.every((v) => v.p.kith.user !== m.user || v.key === key));
    };
    const ranked = [...classes.entries()].sort((a, b) => b[1] - a[1]);
    const refKey = (ranked.find(([k]) => consistent(k)) ?? ranked[0])?.[0];
    const ref = keyed.find((v) => v.key === refKey);
    if (ref === undefined) continue;
    const current = new Set(ref.snap.members.map((m) => m.user));
    members.set(conv, current);
    for (const v of keyed) {
      if (!current.has(v.p.kith.user)) {
        staleViews++;
        continue;
      }
      if (v.key !== refKey) divergent.push(`${v.p.name} differs in ${conv} from ${ref.p.name} (${firstDifference(comparable(ref.snap, excused), comparable(v.snap, excused)) ?? '?'})`);
    }
    for (const u of current) {
      const name = [...ctx.users.entries()].find(([, id]) => id === u)?.[0];
      // A direct conversation appears at the other person with its first message, and never at
      // someone who blocked the other person.
      const direct = ref.p.kith.conversations.get(conv).kind === 'direct';
      const hidden = direct && (ref.snap.messages.length + ref.snap.calls.length === 0 || [...current].some((x) => blockedBy(ctx, u).has(x)));
      if (name !== undefined && world.peers.has(name) && !hidden && !keyed.some((v) => v.p.name === name)) divergent.push(`${name} is a member of ${conv} but does not list it`);
    }
  }
  const peerUser = new Map(peers.map((p) => [p.name, p.kith.user as string]));
  const history = checkHistory(ctx.history, finals, members, peerUser, (peer, m) => blockedBy(ctx, peerUser.get(peer) ?? '').has(m.author));
  const outboxLeft = peers.reduce((n, p) => n + p.kith.outbox().length, 0);
  const held = peers.reduce((n, p) => n + p.kith.stats().held, 0);

  // Each peer reopened from its own database shows exactly what it showed live.
  const restartMismatch: string[] = [];
  for (const p of restartAll ? peers : [ctx.random.pick(peers)]) {
    const mine = blockedBy(ctx, p.kith.user);
    const before = withoutBlocked(await snapshotKith(p.kith), mine);
    await world.restart(p.name);
    const diff = firstDifference(before, withoutBlocked(await snapshotKith(p.kith), mine));
    if (diff !== undefined) restartMismatch.push(`${p.name} (${diff})`);
  }
  await world.flush();

  // A fresh device of one account, from the relay's stored ciphertext alone.
  const freshMismatch: string[] = [];
  const owner = ctx.random.pick(peers);
  const fresh = await world.addPeer(`${owner.name}-fresh`, { bundleFrom: owner.name });
  await world.flush();
  // Same exclusion as the restart oracle: a block applies to what ARRIVES after it, so a device
  // that downloads everything after the block (this one) never shows what the blocker's first
  // device kept from before it (finding reported in docs/reliability.md).
  const ownerBlocked = blockedBy(ctx, owner.kith.user);
  const diff = firstDifference(withoutBlocked(await snapshotKith(owner.kith), ownerBlocked), withoutBlocked(await snapshotKith(fresh.kith), ownerBlocked));
  if (diff !== undefined) freshMismatch.push(`${owner.name} (${diff})`);
  return { conversations: convIds.size, divergent, staleViews, history, restartMismatch, freshMismatch, outboxLeft, held, members };
}

export function oracleProblems(r: OracleReport): string[] {
  const h = r.history;
  return [
    ...r.divergent,
    ...h.lost,
    ...h.duplicated,
    ...h.reordered,
    ...h.regressions,
    ...r.restartMismatch.map((n) => `${n} differs after a restart from its database`),
    ...r.freshMismatch.map((n) => `a fresh device of ${n} differs from it`),
    ...(r.outboxLeft === 0 ? [] : [`${r.outboxLeft} changes still unacknowledged after quiescence`]),
  ];
}
