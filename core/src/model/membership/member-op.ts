import type { ConversationId, UserId } from '../../ids.js';

/**
 * One operation of a group's membership log (`members:<conv>`, ADR 0001, ADR 0004).
 * Each op is carried by an envelope signed by `author`; the log trusts `author` only when the
 * crypto layer has proven it (`MembershipLog.receive(bytes, provenAuthor)`).
 */
export type Role = 'admin' | 'member';

export const ROLES: readonly Role[] = ['admin', 'member'];

export type MemberOpBody =
  | {
      type: 'create';
      name: string;
      description: string;
      icon: string | null;
      /** The other initial members; the author is implicitly the creator and first admin. */
      members: Array<{ user: UserId; role: Role }>;
    }
  | { type: 'add'; user: UserId; role: Role }
  /**
   * `cutoff`: `${docId}|${deviceId}` → the highest counter up to which the remover had accepted
   * EVERY change of the removed member's stream (its contiguous watermark, ADR 0004 § Cutoffs):
   * changes at or below it count, changes above it (gap fills included) are refused everywhere.
   */
  | { type: 'remove'; user: UserId; cutoff: Record<string, number> }
  /**
   * A member removes themself (no admin needed). `cutoff` has the remove's meaning for the
   * leaver's own streams (written by the leaver); a leave without one (older encoders) counts as
   * an empty cutoff: nothing of the leaver's is accepted once the leave applies.
   */
  | { type: 'leave'; cutoff?: Record<string, number> }
  /** Promote / demote. */
  | { type: 'role'; user: UserId; role: Role }
  | { type: 'info'; name?: string; description?: string; icon?: string | null }
  /**
   * DIR-1: the author's own card — how she names herself to the group (ADR 0027). Always about
   * its author (there is no subject field, so no member can write one for another); the newest
   * effective card of a member replaces her earlier ones.
   */
  | ({ type: 'card' } & MemberCardFields);

/** What a member says of herself in a group (DIR-1): the name fields of her profile. */
export interface MemberCardFields {
  displayName: string;
  username: string;
  avatar: string | null;
}

export type MemberOpType = MemberOpBody['type'];

export interface MemberOp {
  v: 1;
  conversation: ConversationId;
  author: UserId;
  /** Hashes (`memberOpHash`) of the heads the author had seen: sorted ascending, unique. */
  parents: string[];
  /** Exactly 1 + the greatest parent lamport (1 for `create`, which has no parents). */
  lamport: number;
  /** The author's wall clock in milliseconds (untrusted; used for joinedAt / leftAt). */
  at: number;
  body: MemberOpBody;
}

/** Limits enforced by the codec and the log (ADR 0004 § Limits). */
export const MEMBERSHIP_LIMITS = {
  /** Encoded op size in bytes. */
  maxOpBytes: 64 * 1024,
  /** Current members of a group, creator included. */
  maxMembers: 1024,
  /** Others listed in `create` (so that a full create stays within maxOpBytes); add the rest later. */
  maxInitialMembers: 1000,
  /** In Unicode code points. */
  maxName: 100,
  maxDescription: 2000,
  maxIcon: 1024,
  /** A card's fields (DIR-1), as the profile's limits (model/profile.ts). */
  maxDisplayName: 100,
  maxAvatar: 512,
  maxParents: 64,
  maxCutoffEntries: 1024,
  /** Ops waiting for their parents before `receive` refuses more. */
  maxPending: 10_000,
} as const;

/** Ops that need an admin author (MEM-2). */
export function isAdminOp(type: MemberOpType): boolean {
  return type === 'add' || type === 'remove' || type === 'role' || type === 'info';
}
