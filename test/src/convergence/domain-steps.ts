import { type ConversationId, type MessageId, type UserId } from '@kith/core';
import { createYjsBackend } from '@kith/core/yjs';
import type { SeededRandom, SyncPeer } from '@kith/core/testing';
import type { History } from '../harness/history.js';
import type { Tamper } from '../harness/tampering-kith.js';
import type { MembershipExtent } from './membership-extent.js';

/** What the domain steps need from a run: the people, their user ids, the history. */
export interface StepContext {
  readonly random: SeededRandom;
  readonly history: History;
  readonly users: ReadonlyMap<string, UserId>;
  readonly names: readonly string[];
  /** (blocker user → blocked users) ever blocked in this run: their content is excused. */
  readonly blocked: Map<string, Set<string>>;
  /** Calls started per conversation (call ids), for answer/end. */
  readonly calls: Map<string, string[]>;
  /** How often each kind of step really happened (domain steps that succeeded, faults injected). */
  readonly tally: Map<string, number>;
  /** What each peer's sync client sends may be tampered with (a hostile member, issue 13). */
  readonly tamperOf: (name: string) => Tamper;
  /** Whether another live peer already shows `user` as removed from group `conv`. */
  readonly removedElsewhere?: (conv: ConversationId, user: UserId) => boolean;
  /** The monotone group sizes each peer showed (MEM-6 vetoes excused). */
  readonly extent: MembershipExtent;
  /** Told of every removal and addition a step made (the shared-document oracles date edits by them). */
  readonly onMembership?: (conv: ConversationId, user: UserId, kind: 'remove' | 'add') => void;
}

export function count(ctx: Pick<StepContext, 'tally'>, kind: string, n = 1): void {
  ctx.tally.set(kind, (ctx.tally.get(kind) ?? 0) + n);
}

/**
 * Every kind a long enough run must exercise (issue 8, Deliver §1 and §4); the suite fails when
 * one of them never happened over ≥ 100 seeds (the rarest, a removed member who keeps sending, comes about once in 100).
 */
export const REQUIRED_KINDS = [
  'send',
  'send.reply',
  'send.afterRemoval',
  'send.burst',
  'edit',
  'delete',
  'react',
  'unreact',
  'receipt.delivered',
  'receipt.read',
  'contact.request',
  'contact.accept',
  'block',
  'unblock',
  'createGroup',
  'addMember',
  'removeMember',
  'promote',
  'demote',
  'renameGroup',
  'call.start',
  'call.answer',
  'call.end',
  'hostile.crafted',
] as const;

export const DOMAIN_STEPS = [
  'send',
  'send',
  'send',
  'edit',
  'delete',
  'react',
  'receipt',
  'contact',
  'block',
  'createGroup',
  'addMember',
  'removeMember',
  'setRole',
  'renameGroup',
  'call',
] as const;
export type DomainStep = (typeof DOMAIN_STEPS)[number];

const EMOJI = ['👍', '❤️', '😂', null] as const;

async function lastMessages(p: SyncPeer, conv: ConversationId): Promise<Array<{ id: MessageId; author: string; deleted: boolean }>> {
  const page = await p.kith.messages.page(conv, { limit: 20 });
  return page.map((m) => ({ id: m.id, author: m.author, deleted: m.deleted }));
}

function someConv(ctx: StepContext, p: SyncPeer, kind?: 'group'): ConversationId | undefined {
  const convs = p.kith.conversations.list().filter((c) => kind === undefined || c.kind === kind);
  return convs.length === 0 ? undefined : ctx.random.pick(convs).id;
}

/** Someone else who is (`member`) or is not (`!member`) in group `conv` as `p` sees it. */
function pickMember(ctx: StepContext, p: SyncPeer, conv: ConversationId, member: boolean): UserId | undefined {
  let members: ReadonlySet<string>;
  try {
    members = new Set(p.kith.groups.get(conv).members.map((m) => m.user));
  } catch {
    return undefined;
  }
  const pool = [...ctx.users.values()].filter((u) => u !== p.kith.user && members.has(u) === member);
  return pool.length === 0 ? undefined : ctx.random.pick(pool);
}

function other(ctx: StepContext, p: SyncPeer): UserId {
  const name = ctx.random.pick(ctx.names.filter((n) => n !== p.name));
  return ctx.users.get(name)!;
}

/**
 * A modified client (issue 13), on a quarter of the sends (its own random stream, so the run's
 * other choices are those of a run without it): before her message, an extra change in her stream
 * carrying crafted bytes (SBX-7) or, on Yjs, an update writing records under another member's id
 * and under an id dated in 2106 (ID-1, ID-2). Every device ignores them alike.
 */
async function tamperBeforeSend(ctx: StepContext, p: SyncPeer, c: ConversationId, n: number): Promise<void> {
  const r = ctx.random.fork(`hostile/${n}`);
  if (!r.chance(0.25)) return;
  const me = p.kith.user;
  const theirs = (await lastMessages(p, c)).filter((m) => m.author !== me);
  let payload: Uint8Array = Uint8Array.from([0xff, 0xfe, 0x00, r.int(256), 0x37, 0xff, 0xff, 0xff, 0x7f, 0x01]);
  let kind = 'hostile.crafted';
  const victim = theirs.length === 0 ? undefined : r.pick(theirs).id;
  if (p.kith.backend === 'yjs' && victim !== undefined && r.chance(0.6)) {
    const value = { text: `impostor${n}`, replyTo: null, forwarded: false, attachments: [], editedAt: null };
    const future = `${(Date.UTC(2106, 0, 1) + r.int(1000)).toString(16).padStart(12, '0').replace(/^(.{8})(.{4})$/, '$1-$2')}-7000-8000-${'0'.repeat(12)}`;
    const forged = createYjsBackend()
      .create({ actor: r.bytes(16) })
      .change([
        { op: 'set', collection: 'msg', key: victim, value },
        { op: 'set', collection: 'msg', key: future, value },
      ]);
    if (forged !== null) {
      payload = forged;
      kind = 'hostile.forgedId';
    }
  }
  const tamper = ctx.tamperOf(p.name);
  const prefix = `feed:${c}:${me}:`;
  tamper.inject.set(prefix, [...(tamper.inject.get(prefix) ?? []), payload]);
  count(ctx, kind);
}

/**
 * BATCH-9 under faults: on a fifth of the sends (its own random stream, like `tamperBeforeSend`),
 * 2–6 more messages right after it, without a flush in between, so they wait behind the first
 * one's push and leave as one range envelope — racing removals, restarts, kills and dropped frames.
 */
async function burstAfterSend(ctx: StepContext, p: SyncPeer, c: ConversationId, n: number): Promise<void> {
  const r = ctx.random.fork(`burst/${n}`);
  if (!r.chance(0.2)) return;
  const extra = 2 + r.int(5);
  for (let i = 0; i < extra; i++) {
    const op = ctx.history.invoke(p.name, 'send', c);
    try {
      const m = await p.kith.messages.send(c, `m${n}.${i}`);
      if (op.status === 'invoked') ctx.history.ack({ conv: c, id: m.id, author: p.kith.user });
      ctx.history.ok(op);
    } catch (e) {
      ctx.history.fail(op, e);
      return;
    }
  }
  count(ctx, 'send.burst');
}

/** Runs one domain step for `p`, recording it in the history (a refusal is a failed op, not a bug). */
export async function runDomainStep(ctx: StepContext, p: SyncPeer, step: DomainStep): Promise<void> {
  const r = ctx.random;
  const h = ctx.history;
  const me = p.kith.user;
  let conv: ConversationId | undefined;
  // A member removed while offline who keeps sending: prefer a group where someone else already
  // shows this peer as removed (its own view does not know yet).
  const stale = step === 'send' && ctx.removedElsewhere !== undefined ? p.kith.conversations.list().filter((c) => c.kind === 'group' && ctx.removedElsewhere!(c.id, me)) : [];
  if (stale.length > 0 && r.chance(0.7)) conv = r.pick(stale).id;
  else if (step === 'send' || step === 'call' || step === 'receipt' || step === 'react' || step === 'edit' || step === 'delete') {
    conv = r.chance(0.15) ? undefined : someConv(ctx, p);
    if (conv === undefined) {
      const op = h.invoke(p.name, 'openDirect');
      try {
        conv = (await p.kith.conversations.openDirect(other(ctx, p))).id;
        h.ok(op);
      } catch (e) {
        h.fail(op, e);
        return;
      }
    }
  } else if (step === 'addMember' || step === 'removeMember' || step === 'setRole' || step === 'renameGroup') {
    conv = someConv(ctx, p, 'group');
    if (conv === undefined) return;
  }
  const c = conv as ConversationId;
  const op = h.invoke(p.name, step, conv ?? '');
  try {
    switch (step) {
      case 'send': {
        const recent = r.chance(0.2) ? (await lastMessages(p, c)).filter((m) => !m.deleted) : [];
        const replyTo = recent.length === 0 ? undefined : r.pick(recent).id;
        await tamperBeforeSend(ctx, p, c, op.n);
        const m = await p.kith.messages.send(c, replyTo === undefined ? `m${op.n}` : { text: `m${op.n}`, replyTo });
        if (op.status === 'invoked') h.ack({ conv: c, id: m.id, author: me });
        count(ctx, replyTo === undefined ? 'send' : 'send.reply');
        await burstAfterSend(ctx, p, c, op.n);
        // A member removed while offline who keeps sending (their own view still lists them).
        if (ctx.removedElsewhere?.(c, me) === true) count(ctx, 'send.afterRemoval');
        break;
      }
      case 'edit':
      case 'delete': {
        const mine = (await lastMessages(p, c)).filter((m) => m.author === me && !m.deleted);
        if (mine.length === 0) break;
        const target = r.pick(mine).id;
        if (step === 'edit') await p.kith.messages.edit(c, target, `e${op.n}`);
        else await p.kith.messages.delete(c, target);
        count(ctx, step);
        break;
      }
      case 'react': {
        const live = (await lastMessages(p, c)).filter((m) => !m.deleted);
        if (live.length === 0) break;
        const emoji = r.pick(EMOJI);
        await p.kith.messages.react(c, r.pick(live).id, emoji);
        count(ctx, emoji === null ? 'unreact' : 'react');
        break;
      }
      case 'receipt': {
        const theirs = (await lastMessages(p, c)).filter((m) => m.author !== me);
        const last = theirs.at(-1);
        if (last === undefined) break;
        const read = r.chance(0.5);
        if (read) await p.kith.receipts.markRead(c, last.id);
        else await p.kith.receipts.markDelivered(c, last.id);
        count(ctx, read ? 'receipt.read' : 'receipt.delivered');
        break;
      }
      case 'contact': {
        const incoming = p.kith.contacts.list().filter((x) => x.status === 'incoming');
        const u = incoming.length > 0 && r.chance(0.7) ? r.pick(incoming).user : other(ctx, p);
        const status = p.kith.contacts.get(u).status;
        if (status === 'incoming') {
          const accept = r.chance(0.8);
          await (accept ? p.kith.contacts.accept(u) : p.kith.contacts.decline(u));
          count(ctx, accept ? 'contact.accept' : 'contact.decline');
        } else {
          await p.kith.contacts.request(u);
          count(ctx, 'contact.request');
        }
        break;
      }
      case 'block': {
        const u = other(ctx, p);
        if (p.kith.contacts.get(u).status === 'blocked') {
          await p.kith.contacts.unblock(u);
          count(ctx, 'unblock');
        } else {
          let set = ctx.blocked.get(me);
          if (set === undefined) ctx.blocked.set(me, (set = new Set()));
          set.add(u);
          await p.kith.contacts.block(u);
          count(ctx, 'block');
        }
        break;
      }
      case 'createGroup': {
        const members = [...new Set([other(ctx, p), other(ctx, p)])];
        await p.kith.groups.create({ name: `g${op.n}`, members });
        count(ctx, 'createGroup');
        break;
      }
      case 'addMember': {
        const u = pickMember(ctx, p, c, false) ?? other(ctx, p);
        await p.kith.groups.addMember(c, u, r.chance(0.3) ? 'admin' : 'member');
        ctx.onMembership?.(c, u, 'add');
        count(ctx, 'addMember');
        break;
      }
      case 'removeMember': {
        const u = pickMember(ctx, p, c, true) ?? other(ctx, p);
        await p.kith.groups.removeMember(c, u);
        ctx.onMembership?.(c, u, 'remove');
        count(ctx, 'removeMember');
        break;
      }
      case 'setRole': {
        // Flip a current member's role (promote a member, demote an admin).
        const target = pickMember(ctx, p, c, true) ?? other(ctx, p);
        const now = p.kith.groups.get(c).members.find((m) => m.user === target)?.role;
        const admin = now === undefined ? r.chance(0.5) : now !== 'admin';
        await p.kith.groups.setRole(c, target, admin ? 'admin' : 'member');
        count(ctx, admin ? 'promote' : 'demote');
        break;
      }
      case 'renameGroup':
        await p.kith.groups.update(c, { name: `n${op.n}` });
        count(ctx, 'renameGroup');
        break;
      case 'call': {
        const started = ctx.calls.get(c) ?? [];
        const known = p.kith.calls.list(c).filter((x) => started.includes(x.id) && x.endedAt === null);
        const target = known.length === 0 || r.chance(0.3) ? undefined : r.pick(known);
        if (target === undefined) {
          const call = await p.kith.calls.start(c, r.chance(0.5) ? 'voice' : 'video');
          ctx.calls.set(c, [...started, call.id]);
          count(ctx, 'call.start');
        } else if (target.caller !== me && r.chance(0.6)) {
          await p.kith.calls.answer(c, target.id);
          count(ctx, 'call.answer');
        } else {
          await p.kith.calls.end(c, target.id);
          count(ctx, 'call.end');
        }
        break;
      }
    }
    h.ok(op);
  } catch (e) {
    h.fail(op, e);
  }
}
