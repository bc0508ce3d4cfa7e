import type { ErrorCode } from '../../errors.js';
import type { UserId } from '../../ids.js';
import { isAdminOp, MEMBERSHIP_LIMITS, type MemberCardFields, type MemberOp, type Role } from './member-op.js';

/**
 * The state machine of ADR 0004: the group's state after folding a prefix of the canonical
 * order, and the rule deciding whether the next op takes effect (MEM-2, MEM-4, MEM-5).
 * Pure and synchronous; `MembershipLog` drives it with a journal so it can step back.
 */
export interface MemberInfo {
  user: UserId;
  role: Role;
  addedBy: UserId;
  joinedAt: number;
  leftAt?: number;
}

/** A member's newest effective card (DIR-1) and the time she wrote it (her own clock, untrusted). */
export interface MemberCard extends Readonly<MemberCardFields> {
  readonly user: UserId;
  readonly at: number;
}

export interface FoldState {
  created: boolean;
  name: string;
  description: string;
  icon: string | null;
  creator: UserId | null;
  /** The `create` op's time (ms; MEM-0 derives the group id from it), null before it. */
  createdAt: number | null;
  members: Map<UserId, MemberInfo>;
  former: Map<UserId, MemberInfo>;
  cutoffs: Map<UserId, Record<string, number>>;
  /** DIR-1: each member's newest effective card; kept when she departs (her past messages keep a name). */
  cards: Map<UserId, MemberCard>;
  removals: number;
  /** For each current admin: when they became admin — their seniority (MEM-7). */
  adminSince: Map<UserId, Seniority>;
  /** When not null, every change appends its inverse here (see `undoTo`). */
  journal: Array<() => void> | null;
}

/**
 * Admin seniority: the position (canonical order) of the op that made the user admin, then
 * `rank` within that op (the creator 0, admins listed in `create` 1, 2, … in list order).
 * Smaller is more senior.
 */
export interface Seniority {
  position: number;
  rank: number;
}

function outranks(a: Seniority, b: Seniority): boolean {
  return a.position < b.position || (a.position === b.position && a.rank < b.rank);
}

export function emptyFoldState(journaled = false): FoldState {
  return {
    created: false,
    name: '',
    description: '',
    icon: null,
    creator: null,
    createdAt: null,
    members: new Map(),
    former: new Map(),
    cutoffs: new Map(),
    cards: new Map(),
    removals: 0,
    adminSince: new Map(),
    journal: journaled ? [] : null,
  };
}

export interface Rejection {
  code: ErrorCode;
  reason: string;
}

/** Why `op` would take no effect on `s`, or null when it takes effect (MEM-1, MEM-2, MEM-5). */
export function checkMemberOp(s: FoldState, op: MemberOp): Rejection | null {
  const body = op.body;
  if (body.type === 'create') return s.created ? no('conflict', 'the group already exists') : null;
  if (!s.created) return no('conflict', 'the group does not exist yet');
  const author = s.members.get(op.author);
  if (author === undefined) return no('not_a_member', 'the author is not a member');
  if (isAdminOp(body.type) && author.role !== 'admin') return no('not_an_admin', 'only admins may do this');
  switch (body.type) {
    case 'leave':
    case 'info':
    case 'card':
      return null;
    case 'add':
      if (s.members.has(body.user)) return no('conflict', 'already a member');
      if (s.members.size >= MEMBERSHIP_LIMITS.maxMembers) return no('conflict', 'the group is full');
      return null;
    case 'remove':
      if (!s.members.has(body.user)) return no('conflict', 'not a member');
      return checkSeniority(s, op.author, body.user);
    case 'role': {
      const target = s.members.get(body.user);
      if (target === undefined) return no('conflict', 'not a member');
      if (target.role === body.role) return no('conflict', `already ${body.role}`);
      if (body.role === 'member' && adminCount(s) === 1) return no('conflict', 'cannot demote the last admin');
      return body.role === 'member' ? checkSeniority(s, op.author, body.user) : null;
    }
  }
}

/** MEM-7: an admin may remove or demote only themself, members, and admins junior to them. */
function checkSeniority(s: FoldState, author: UserId, target: UserId): Rejection | null {
  const t = s.adminSince.get(target);
  const a = s.adminSince.get(author);
  if (t === undefined || target === author || (a !== undefined && outranks(a, t))) return null;
  return no('not_an_admin', 'only a more senior admin may remove or demote this admin');
}

/** A user whose adminship an op ended, with the position where that adminship began. */
export interface EndedAdmin {
  user: UserId;
  since: number;
}

/**
 * Applies an op `checkMemberOp` accepted; `position` is its index in the canonical order.
 * Returns the authors whose adminship it ended (for the removal-wins rule, MEM-6). With a
 * journal, every change is recorded so that `undo` can take it back.
 */
export function applyMemberOp(s: FoldState, op: MemberOp, position: number): EndedAdmin[] {
  const body = op.body;
  switch (body.type) {
    case 'create': {
      field(s, 'created', true);
      field(s, 'name', body.name);
      field(s, 'description', body.description);
      field(s, 'icon', body.icon);
      field(s, 'creator', op.author);
      field(s, 'createdAt', op.at);
      join(s, op.author, 'admin', op.author, op.at, { position, rank: 0 });
      body.members.forEach((m, i) => join(s, m.user, m.role, op.author, op.at, { position, rank: i + 1 }));
      return [];
    }
    case 'add':
      join(s, body.user, body.role, op.author, op.at, { position, rank: 0 });
      return [];
    case 'remove':
    case 'leave': {
      const user = body.type === 'remove' ? body.user : op.author;
      const ended = depart(s, user, op.at);
      // Both carry the departed member's cutoffs (H2); a leave without one counts as empty.
      put(s, s.cutoffs, user, body.cutoff ?? {});
      succeed(s, position);
      return ended;
    }
    case 'role': {
      const info = s.members.get(body.user);
      if (info === undefined) return [];
      put(s, s.members, body.user, Object.freeze({ ...info, role: body.role }));
      if (body.role === 'admin') {
        put(s, s.adminSince, body.user, { position, rank: 0 });
        return [];
      }
      const since = s.adminSince.get(body.user)?.position ?? 0;
      drop(s, s.adminSince, body.user);
      return [{ user: body.user, since }];
    }
    case 'card':
      put(s, s.cards, op.author, Object.freeze({ user: op.author, displayName: body.displayName, username: body.username, avatar: body.avatar, at: op.at }));
      return [];
    case 'info':
      if (body.name !== undefined) field(s, 'name', body.name);
      if (body.description !== undefined) field(s, 'description', body.description);
      if (body.icon !== undefined) field(s, 'icon', body.icon);
      return [];
  }
}

/** Takes back every change recorded after journal length `mark`, newest first. */
export function undoTo(s: FoldState, mark: number): void {
  const journal = s.journal;
  if (journal === null) throw new Error('assertion failed: undo needs a journaled state');
  while (journal.length > mark) journal.pop()!();
}

function field<K extends 'created' | 'name' | 'description' | 'icon' | 'creator' | 'createdAt' | 'removals'>(s: FoldState, key: K, value: FoldState[K]): void {
  if (s.journal !== null) {
    const prev = s[key];
    s.journal.push(() => {
      s[key] = prev;
    });
  }
  s[key] = value;
}

function put<V>(s: FoldState, map: Map<UserId, V>, key: UserId, value: V): void {
  if (s.journal !== null) {
    const prev = map.get(key);
    s.journal.push(prev === undefined ? () => map.delete(key) : () => map.set(key, prev));
  }
  map.set(key, value);
}

function drop<V>(s: FoldState, map: Map<UserId, V>, key: UserId): void {
  const prev = map.get(key);
  if (prev === undefined) return;
  if (s.journal !== null) s.journal.push(() => map.set(key, prev));
  map.delete(key);
}

function join(s: FoldState, user: UserId, role: Role, addedBy: UserId, at: number, seniority: Seniority): void {
  put(s, s.members, user, Object.freeze({ user, role, addedBy, joinedAt: at }));
  // MEM-5: a re-added member starts afresh; its former entry and cutoff no longer apply.
  drop(s, s.former, user);
  drop(s, s.cutoffs, user);
  if (role === 'admin') put(s, s.adminSince, user, seniority);
}

function depart(s: FoldState, user: UserId, at: number): EndedAdmin[] {
  const info = s.members.get(user);
  if (info === undefined) return [];
  drop(s, s.members, user);
  put(s, s.former, user, Object.freeze({ ...info, leftAt: at }));
  field(s, 'removals', s.removals + 1);
  const since = s.adminSince.get(user);
  drop(s, s.adminSince, user);
  return since === undefined ? [] : [{ user, since: since.position }];
}

/** MEM-4: with members left and no admin, the longest-standing member becomes admin. */
function succeed(s: FoldState, position: number): void {
  if (s.members.size === 0 || adminCount(s) > 0) return;
  let heir: MemberInfo | undefined;
  for (const m of s.members.values()) {
    if (heir === undefined || m.joinedAt < heir.joinedAt || (m.joinedAt === heir.joinedAt && m.user < heir.user)) heir = m;
  }
  if (heir === undefined) return;
  put(s, s.members, heir.user, Object.freeze({ ...heir, role: 'admin' as const }));
  put(s, s.adminSince, heir.user, { position, rank: 0 });
}

function adminCount(s: FoldState): number {
  return s.adminSince.size;
}

function no(code: ErrorCode, reason: string): Rejection {
  return { code, reason };
}
