import type { ErrorCode } from '../../errors.js';
import type { UserId } from '../../ids.js';
import { isAdminOp, MEMBERSHIP_LIMITS, type MemberOp, type Role } from './member-op.js';

/**
 * The state machine of ADR 0004: the group's state after folding a prefix of the canonical
 * order, and the rule deciding whether the next op takes effect (MEM-2, MEM-4, MEM-5).
 * Pure and synchronous; `MembershipLog` drives it and keeps checkpoints of it.
 */
export interface MemberInfo {
  user: UserId;
  role: Role;
  addedBy: UserId;
  joinedAt: number;
  leftAt?: number;
}

export interface FoldState {
  created: boolean;
  name: string;
  description: string;
  icon: string | null;
  creator: UserId | null;
  members: Map<UserId, MemberInfo>;
  former: Map<UserId, MemberInfo>;
  cutoffs: Map<UserId, Record<string, number>>;
  removals: number;
  /** For each current admin: when they became admin — their seniority (MEM-7). */
  adminSince: Map<UserId, Seniority>;
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

export function emptyFoldState(): FoldState {
  return {
    created: false,
    name: '',
    description: '',
    icon: null,
    creator: null,
    members: new Map(),
    former: new Map(),
    cutoffs: new Map(),
    removals: 0,
    adminSince: new Map(),
  };
}

/** Member infos (frozen) and cutoffs (frozen ops) are never mutated, so a shallow copy of each map suffices. */
export function cloneFoldState(s: FoldState): FoldState {
  return {
    ...s,
    members: new Map(s.members),
    former: new Map(s.former),
    cutoffs: new Map(s.cutoffs),
    adminSince: new Map(s.adminSince),
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
 * Returns the authors whose adminship it ended (for the removal-wins rule, MEM-6).
 */
export function applyMemberOp(s: FoldState, op: MemberOp, position: number): EndedAdmin[] {
  const body = op.body;
  switch (body.type) {
    case 'create': {
      s.created = true;
      s.name = body.name;
      s.description = body.description;
      s.icon = body.icon;
      s.creator = op.author;
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
      if (body.type === 'remove') s.cutoffs.set(user, body.cutoff);
      succeed(s, position);
      return ended;
    }
    case 'role': {
      const info = s.members.get(body.user);
      if (info === undefined) return [];
      s.members.set(body.user, Object.freeze({ ...info, role: body.role }));
      if (body.role === 'admin') {
        s.adminSince.set(body.user, { position, rank: 0 });
        return [];
      }
      const since = s.adminSince.get(body.user)?.position ?? 0;
      s.adminSince.delete(body.user);
      return [{ user: body.user, since }];
    }
    case 'info':
      if (body.name !== undefined) s.name = body.name;
      if (body.description !== undefined) s.description = body.description;
      if (body.icon !== undefined) s.icon = body.icon;
      return [];
  }
}

function join(s: FoldState, user: UserId, role: Role, addedBy: UserId, at: number, seniority: Seniority): void {
  s.members.set(user, Object.freeze({ user, role, addedBy, joinedAt: at }));
  // MEM-5: a re-added member starts afresh; its former entry and cutoff no longer apply.
  s.former.delete(user);
  s.cutoffs.delete(user);
  if (role === 'admin') s.adminSince.set(user, seniority);
}

function depart(s: FoldState, user: UserId, at: number): EndedAdmin[] {
  const info = s.members.get(user);
  if (info === undefined) return [];
  s.members.delete(user);
  s.former.set(user, Object.freeze({ ...info, leftAt: at }));
  s.removals++;
  const since = s.adminSince.get(user);
  s.adminSince.delete(user);
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
  s.members.set(heir.user, Object.freeze({ ...heir, role: 'admin' as const }));
  s.adminSince.set(heir.user, { position, rank: 0 });
}

function adminCount(s: FoldState): number {
  return s.adminSince.size;
}

function no(code: ErrorCode, reason: string): Rejection {
  return { code, reason };
}
