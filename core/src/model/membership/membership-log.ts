import { fail, KithError, ok, type Result } from '../../errors.js';
import type { ConversationId, UserId } from '../../ids.js';
import { groupConversationId } from './group-conversation-id.js';
import { MEMBERSHIP_LIMITS, type MemberOp, type MemberOpBody } from './member-op.js';
import { decodeMemberOp, encodeMemberOp, memberOpHash } from './member-op-codec.js';
import { OpOrder, type OpNode } from './op-order.js';
import { checkMemberOp, type FoldState, type MemberCard, type MemberInfo } from './membership-rules.js';

export interface MembershipState {
  conversation: ConversationId;
  created: boolean;
  name: string;
  description: string;
  icon: string | null;
  creator: UserId | null;
  /** The `create` op's time (ms), null before it. */
  createdAt: number | null;
  /** Current members. */
  members: ReadonlyMap<UserId, MemberInfo>;
  /** Removed or left, with leftAt. */
  former: ReadonlyMap<UserId, MemberInfo>;
  /** For removed members: `${docId}|${deviceId}` → last accepted counter. */
  cutoffs: ReadonlyMap<UserId, Record<string, number>>;
  /** DIR-1: each member's (and former member's) newest card, as she wrote it. */
  cards: ReadonlyMap<UserId, MemberCard>;
  /** Bumps every time someone leaves or is removed (the crypto layer starts a new key epoch then). */
  removals: number;
  /** Hashes of the applied ops no other applied op names as parent, sorted. */
  heads: string[];
}

export type ReceiveStatus = 'applied' | 'pending' | 'duplicate';

export interface MembershipLog {
  readonly conversation: ConversationId;
  /** Add an op proven to come from `author`. Idempotent. Ops whose parents are missing wait
   *  (pending) and are applied when the parents arrive. Invalid bytes or author ≠ op.author → error. */
  receive(bytes: Uint8Array, author: UserId): Result<{ status: ReceiveStatus; hash: string }>;
  /** Build, apply locally and return a new op by `author` with parents = current heads. Throws a
   *  KithError ('not_an_admin' / 'not_a_member' / 'conflict' / 'invalid_argument') for what the
   *  current state would reject. */
  create(author: UserId, body: MemberOpBody, at: number): { op: MemberOp; bytes: Uint8Array; hash: string };
  state(): MembershipState;
  /** Every applied op in canonical order with whether it took effect. */
  history(): Array<{ hash: string; op: MemberOp; effective: boolean }>;
  pendingCount(): number;
  /** All encoded applied ops, in canonical order (parents before children). */
  allOps(): Uint8Array[];
  on(listener: (state: MembershipState) => void): () => void;
}

interface Pending {
  node: OpNode;
  missing: Set<string>;
}

export interface MembershipLogOptions {
  /** Ops that may wait for missing parents before `receive` refuses more (default 10,000). */
  maxPending?: number;
}

/** A membership log for one group conversation (ADR 0004). */
export function createMembershipLog(conversation: ConversationId, options: MembershipLogOptions = {}): MembershipLog {
  const maxPending = options.maxPending ?? MEMBERSHIP_LIMITS.maxPending;
  const order = new OpOrder();
  const pending = new Map<string, Pending>();
  /** parent hash → hashes of pending ops waiting for it. */
  const waiting = new Map<string, Set<string>>();
  /** Ops refused after their parents arrived (bad lamport), and their descendants. */
  const rejected = new Map<string, KithError>();
  const listeners = new Set<(state: MembershipState) => void>();
  let snapshot: MembershipState | null = null;

  function receive(bytes: Uint8Array, author: UserId): Result<{ status: ReceiveStatus; hash: string }> {
    if (bytes.length > MEMBERSHIP_LIMITS.maxOpBytes) {
      return fail('too_large', `membership op is ${bytes.length} bytes, limit ${MEMBERSHIP_LIMITS.maxOpBytes}`);
    }
    // Identical bytes are the identical op: a known hash skips decoding (duplicates are common).
    const hash = memberOpHash(bytes);
    const known = order.get(hash) ?? pending.get(hash)?.node;
    if (known !== undefined) {
      if (known.op.author !== author) return fail('unauthorized', 'op author is not the proven author');
      return ok({ status: 'duplicate', hash });
    }
    const refused = rejected.get(hash);
    if (refused !== undefined) return { ok: false, error: refused };
    const decoded = decodeMemberOp(bytes);
    if (!decoded.ok) return decoded;
    // Ops are shared with history() callers and the state (cutoffs): freeze them.
    const op = deepFreeze(decoded.value);
    if (op.author !== author) return fail('unauthorized', 'op author is not the proven author');
    if (op.conversation !== conversation) return fail('unauthorized', 'op belongs to another conversation');
    if (op.body.type === 'create' && op.conversation !== groupConversationId(op.author, op.at)) {
      return fail('unauthorized', 'create op does not match the conversation id (MEM-0)');
    }
    const node: OpNode = { hash, op, bytes: bytes.slice() };
    const missing = new Set<string>();
    for (const p of op.parents) {
      const bad = rejected.get(p);
      if (bad !== undefined) return reject(hash, new KithError('malformed', 'a parent op was refused'));
      if (!order.has(p)) missing.add(p);
    }
    if (missing.size > 0) {
      if (pending.size >= maxPending) {
        return fail('too_large', `more than ${maxPending} membership ops wait for their parents`);
      }
      pending.set(hash, { node, missing });
      for (const p of missing) {
        let set = waiting.get(p);
        if (set === undefined) waiting.set(p, (set = new Set()));
        set.add(hash);
      }
      return ok({ status: 'pending', hash });
    }
    const lamportError = checkLamport(op);
    if (lamportError !== null) return reject(hash, lamportError);
    const batch = [node, ...release(node)];
    order.insert(batch);
    changed();
    return ok({ status: 'applied', hash });
  }

  /** MEM-1: lamport is exactly one more than the greatest parent's. */
  function checkLamport(op: MemberOp): KithError | null {
    let max = 0;
    for (const p of op.parents) max = Math.max(max, order.get(p)?.op.lamport ?? 0);
    return op.lamport === max + 1 ? null : new KithError('malformed', 'lamport must be 1 + the greatest parent lamport');
  }

  function reject(hash: string, error: KithError): Result<never> {
    if (rejected.size < maxPending) rejected.set(hash, error);
    return { ok: false, error };
  }

  /** Pending ops that become ready once `root` is applied, in an order where parents come first. */
  function release(root: OpNode): OpNode[] {
    const out: OpNode[] = [];
    const present = new Map<string, OpNode>([[root.hash, root]]);
    const queue = [root.hash];
    for (let next = 0; next < queue.length; next++) {
      const h = queue[next]!;
      const children = waiting.get(h);
      if (children === undefined) continue;
      waiting.delete(h);
      for (const c of children) {
        const entry = pending.get(c);
        if (entry === undefined) continue;
        entry.missing.delete(h);
        if (entry.missing.size > 0) continue;
        pending.delete(c);
        const err = checkLamportWith(entry.node.op, present);
        if (err !== null) {
          dropDescendants(c, err);
          continue;
        }
        present.set(c, entry.node);
        out.push(entry.node);
        queue.push(c);
      }
    }
    return out;
  }

  function checkLamportWith(op: MemberOp, present: Map<string, OpNode>): KithError | null {
    let max = 0;
    for (const p of op.parents) max = Math.max(max, (order.get(p) ?? present.get(p))?.op.lamport ?? 0);
    return op.lamport === max + 1 ? null : new KithError('malformed', 'lamport must be 1 + the greatest parent lamport');
  }

  function dropDescendants(hash: string, error: KithError): void {
    const stack = [hash];
    while (stack.length > 0) {
      const h = stack.pop()!;
      if (rejected.size < maxPending) rejected.set(h, error);
      const children = waiting.get(h);
      if (children === undefined) continue;
      waiting.delete(h);
      for (const c of children) {
        if (pending.delete(c)) stack.push(c);
      }
    }
  }

  function changed(): void {
    snapshot = null;
    if (listeners.size === 0) return;
    const s = state();
    for (const listener of [...listeners]) {
      try {
        listener(s);
      } catch {
        // A listener's failure must not break the log or the caller's receive loop.
      }
    }
  }

  function state(): MembershipState {
    if (snapshot !== null) return snapshot;
    const s: FoldState = order.state();
    snapshot = Object.freeze({
      conversation,
      created: s.created,
      name: s.name,
      description: s.description,
      icon: s.icon,
      creator: s.creator,
      createdAt: s.createdAt,
      members: sortedMap(s.members),
      former: sortedMap(s.former),
      cutoffs: sortedMap(s.cutoffs),
      cards: sortedMap(s.cards),
      removals: s.removals,
      heads: order.heads(),
    });
    return snapshot;
  }

  function create(author: UserId, body: MemberOpBody, at: number): { op: MemberOp; bytes: Uint8Array; hash: string } {
    const heads = order.heads();
    let parents: string[] = [];
    let lamport = 1;
    if (body.type === 'create') {
      if (order.size > 0) throw new KithError('conflict', 'the group already exists');
      if (!Number.isSafeInteger(at) || at < 0 || conversation !== groupConversationId(author, at)) {
        throw new KithError('invalid_argument', 'a group conversation id must be groupConversationId(creator, at)');
      }
    } else {
      if (heads.length === 0) throw new KithError('conflict', 'the group does not exist yet');
      parents = pickParents(heads);
      for (const p of parents) lamport = Math.max(lamport, order.get(p)!.op.lamport + 1);
    }
    const draft: MemberOp = { v: 1, conversation, author, parents, lamport, at, body };
    const bytes = encodeMemberOp(draft);
    const decoded = decodeMemberOp(bytes);
    if (!decoded.ok) throw new KithError('invalid_argument', decoded.error.message);
    const op = decoded.value;
    const refusal = checkMemberOp(order.state(), op);
    if (refusal !== null) throw new KithError(refusal.code, refusal.reason);
    const result = receive(bytes, author);
    if (!result.ok) throw result.error;
    return { op, bytes, hash: result.value.hash };
  }

  /** All heads, or — when a flood of concurrent ops left more than 64 — the 64 with the highest
   *  lamport: the new op still sorts after every applied op, and later ops absorb the rest. */
  function pickParents(heads: string[]): string[] {
    if (heads.length <= MEMBERSHIP_LIMITS.maxParents) return heads;
    const lamportOf = (h: string): number => order.get(h)!.op.lamport;
    return [...heads]
      .sort((a, b) => lamportOf(b) - lamportOf(a) || (a < b ? -1 : 1))
      .slice(0, MEMBERSHIP_LIMITS.maxParents)
      .sort();
  }

  return {
    conversation,
    receive,
    create,
    state,
    history: () => order.history(),
    pendingCount: () => pending.size,
    allOps: () => order.history().map((h) => order.get(h.hash)!.bytes.slice()),
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A copy ordered by user id, so every replica lists the same state in the same order. */
function sortedMap<V>(map: ReadonlyMap<UserId, V>): Map<UserId, V> {
  return new Map([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
