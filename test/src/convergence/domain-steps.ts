import type { ConversationId, MessageId, UserId } from '../../../core/src/ids.js';
import type { E2ePeer } from '../harness/e2e-world.js';
import type { History } from '../harness/history.js';
import type { SeededRandom } from '@kith/core/testing';

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
}

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

async function lastMessages(p: E2ePeer, conv: ConversationId): Promise<Array<{ id: MessageId; author: string; deleted: boolean }>> {
  const page = await p.kith.messages.page(conv, { limit: 20 });
  return page.map((m) => ({ id: m.id, author: m.author, deleted: m.deleted }));
}

function someConv(ctx: StepContext, p: E2ePeer, kind?: 'group'): ConversationId | undefined {
  const convs = p.kith.conversations.list().filter((c) => kind === undefined || c.kind === kind);
  return convs.length === 0 ? undefined : ctx.random.pick(convs).id;
}

function other(ctx: StepContext, p: E2ePeer): UserId {
  const name = ctx.random.pick(ctx.names.filter((n) => n !== p.name));
  return ctx.users.get(name)!;
}

/** Runs one domain step for `p`, recording it in the history (a refusal is a failed op, not a bug). */
export async function runDomainStep(ctx: StepContext, p: E2ePeer, step: DomainStep): Promise<void> {
  const r = ctx.random;
  const h = ctx.history;
  const me = p.kith.user;
  let conv: ConversationId | undefined;
  if (step === 'send' || step === 'call' || step === 'receipt' || step === 'react' || step === 'edit' || step === 'delete') {
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
        const m = await p.kith.messages.send(c, replyTo === undefined ? `m${op.n}` : { text: `m${op.n}`, replyTo });
        if (op.status === 'invoked') h.ack({ conv: c, id: m.id, author: me });
        break;
      }
      case 'edit':
      case 'delete': {
        const mine = (await lastMessages(p, c)).filter((m) => m.author === me && !m.deleted);
        if (mine.length === 0) break;
        const target = r.pick(mine).id;
        if (step === 'edit') await p.kith.messages.edit(c, target, `e${op.n}`);
        else await p.kith.messages.delete(c, target);
        break;
      }
      case 'react': {
        const live = (await lastMessages(p, c)).filter((m) => !m.deleted);
        if (live.length === 0) break;
        await p.kith.messages.react(c, r.pick(live).id, r.pick(EMOJI));
        break;
      }
      case 'receipt': {
        const theirs = (await lastMessages(p, c)).filter((m) => m.author !== me);
        const last = theirs.at(-1);
        if (last === undefined) break;
        if (r.chance(0.5)) await p.kith.receipts.markRead(c, last.id);
        else await p.kith.receipts.markDelivered(c, last.id);
        break;
      }
      case 'contact': {
        const u = other(ctx, p);
        const status = p.kith.contacts.get(u).status;
        if (status === 'incoming') await (r.chance(0.8) ? p.kith.contacts.accept(u) : p.kith.contacts.decline(u));
        else await p.kith.contacts.request(u);
        break;
      }
      case 'block': {
        const u = other(ctx, p);
        if (p.kith.contacts.get(u).status === 'blocked') await p.kith.contacts.unblock(u);
        else {
          let set = ctx.blocked.get(me);
          if (set === undefined) ctx.blocked.set(me, (set = new Set()));
          set.add(u);
          await p.kith.contacts.block(u);
        }
        break;
      }
      case 'createGroup': {
        const members = [...new Set([other(ctx, p), other(ctx, p)])];
        await p.kith.groups.create({ name: `g${op.n}`, members });
        break;
      }
      case 'addMember':
        await p.kith.groups.addMember(c, other(ctx, p), r.chance(0.3) ? 'admin' : 'member');
        break;
      case 'removeMember':
        await p.kith.groups.removeMember(c, other(ctx, p));
        break;
      case 'setRole':
        await p.kith.groups.setRole(c, other(ctx, p), r.chance(0.5) ? 'admin' : 'member');
        break;
      case 'renameGroup':
        await p.kith.groups.update(c, { name: `n${op.n}` });
        break;
      case 'call': {
        const started = ctx.calls.get(c) ?? [];
        const known = p.kith.calls.list(c).filter((x) => started.includes(x.id));
        const target = known.length === 0 || r.chance(0.3) ? undefined : r.pick(known);
        if (target === undefined) {
          const call = await p.kith.calls.start(c, r.chance(0.5) ? 'voice' : 'video');
          ctx.calls.set(c, [...started, call.id]);
        } else if (target.caller !== me && r.chance(0.6)) await p.kith.calls.answer(c, target.id);
        else await p.kith.calls.end(c, target.id);
        break;
      }
    }
    h.ok(op);
  } catch (e) {
    h.fail(op, e);
  }
}
