import type { UserId } from '../../ids.js';
import { groupConversationId } from './group-conversation-id.js';
import type { MemberOp, MemberOpBody } from './member-op.js';
import { encodeMemberOp, memberOpHash } from './member-op-codec.js';

/** Test fixtures for the membership log (not exported from the package). */
export function user(n: number): UserId {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}` as UserId;
}

export const ALICE = user(1);
export const BOB = user(2);
export const CAROL = user(3);
export const DAVE = user(4);
export const ERIN = user(5);
export const MALLORY = user(66);

export const CREATED_AT = 1_700_000_000_000;
export const GROUP = groupConversationId(ALICE, CREATED_AT);

/** Encodes an arbitrary (valid) op, e.g. one a peer built from a stale view. */
export function craft(fields: Partial<MemberOp> & { author: UserId; body: MemberOpBody }): { op: MemberOp; bytes: Uint8Array; hash: string } {
  const op: MemberOp = { v: 1, conversation: GROUP, parents: [], lamport: 1, at: CREATED_AT, ...fields };
  const bytes = encodeMemberOp(op);
  return { op, bytes, hash: memberOpHash(bytes) };
}

/** A small seeded PRNG (mulberry32): deterministic test randomness. */
export function createPrng(seed: number): { next(): number; int(n: number): number; pick<T>(items: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)]!;
    },
  };
}
