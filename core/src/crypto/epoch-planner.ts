import { fail, ok, type Result } from '../errors.js';
import type { UserId } from '../ids.js';
import type { MembershipView } from './authorize.js';
import { MAX_EPOCH, type EpochKeyInfo } from './keyring.js';

/** When an epoch must be replaced even without a removal (KEY-6). */
export interface RotationPolicy {
  /** Messages sent in the conversation under one epoch (as counted by this device). */
  readonly maxMessages: number;
  readonly maxAgeMs: number;
  /** How long a non-initiating admin waits for the remover's rotation before rotating itself. */
  readonly takeoverMs: number;
}

export const DEFAULT_ROTATION_POLICY: RotationPolicy = { maxMessages: 10_000, maxAgeMs: 7 * 24 * 3600 * 1000, takeoverMs: 30_000 };

/** A policy an app passes in: whole numbers, at least 1 message, 1 ms of age, 0 ms of takeover. */
export function checkRotationPolicy(p: RotationPolicy): Result<RotationPolicy> {
  const whole = (n: unknown, min: number): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= min;
  if (!whole(p.maxMessages, 1) || !whole(p.maxAgeMs, 1) || !whole(p.takeoverMs, 0)) {
    return fail('invalid_argument', 'rotation: maxMessages ≥ 1, maxAgeMs ≥ 1, takeoverMs ≥ 0 (whole numbers)');
  }
  return ok(p);
}

export interface EpochPlanInput {
  readonly me: UserId;
  readonly state: MembershipView;
  /** The canonical key of the newest epoch held, if any. */
  readonly current: EpochKeyInfo | undefined;
  readonly messagesInEpoch: number;
  readonly now: number;
  /** This device authored the op that raised `removals` past the current epoch's (it rotates at once). */
  readonly authoredRemoval: boolean;
  /** Since when this device has seen `removals` above the current epoch's (for takeover). */
  readonly staleSince: number | null;
  readonly policy?: RotationPolicy;
}

export type EpochPlan =
  | { readonly action: 'none' }
  /** Create epoch `epoch` with a fresh random key for `recipients` (every current member). */
  | { readonly action: 'rotate'; readonly epoch: number; readonly reason: 'initial' | 'removal' | 'count' | 'age'; readonly recipients: UserId[] }
  /** Send the current epoch key to members that did not receive it (joiners). */
  | { readonly action: 'share'; readonly epoch: number; readonly recipients: UserId[] };

const sortedMembers = (state: MembershipView): UserId[] => [...state.members.keys()].sort();

/**
 * The key-epoch state machine (ADR 0006), pure: given the membership state and the current
 * epoch, what this device must do. Only admins act; the result is idempotent (asking again
 * before the effect arrives returns the same plan, and a duplicate rotation is resolved by the
 * keyring's canonical order, KEY-5).
 * - KEY-6a no epoch yet → rotate (initial);
 * - KEY-6b `state.removals > current.removals` → rotate now if this device authored the
 *   removal (or the leaver is gone and this is the smallest admin id), else after `takeoverMs`;
 * - KEY-6c message count or age over the policy → rotate (the smallest admin id at once, other
 *   admins after a quarter more messages / takeoverMs more);
 * - KEY-6d current members missing from the epoch's recipients → share the current key.
 */
export function planEpoch(input: EpochPlanInput): EpochPlan {
  const policy = input.policy ?? DEFAULT_ROTATION_POLICY;
  const { state, current, me } = input;
  if (!state.created || state.members.get(me)?.role !== 'admin') return { action: 'none' };
  const members = sortedMembers(state);
  if (current === undefined) return { action: 'rotate', epoch: 0, reason: 'initial', recipients: members };
  // The epoch field is a u32: an exhausted epoch space never wraps (C2); in practice the
  // keyring refuses such epochs, so this is only reached by a locally made chain of 2^32 keys.
  if (current.epoch >= MAX_EPOCH) return { action: 'none' };
  const next = current.epoch + 1;
  const admins = members.filter((u) => state.members.get(u)?.role === 'admin');
  if (state.removals > current.removals) {
    const takeover = input.staleSince !== null && input.now - input.staleSince >= policy.takeoverMs;
    if (input.authoredRemoval || takeover || (input.staleSince !== null && admins[0] === me)) {
      return { action: 'rotate', epoch: next, reason: 'removal', recipients: members };
    }
    return { action: 'none' };
  }
  // Count and age are seen by every admin at about the same moment: the smallest admin id
  // rotates, the others only if it has not (a quarter more messages, or takeoverMs later), so
  // concurrent candidates stay few (the keyring keeps MAX_CANDIDATES per epoch; KEY-5 picks one).
  const first = admins[0] === me;
  const count = input.messagesInEpoch;
  if (count >= policy.maxMessages && (first || count >= policy.maxMessages + Math.ceil(policy.maxMessages / 4))) {
    return { action: 'rotate', epoch: next, reason: 'count', recipients: members };
  }
  const age = input.now - current.createdAt;
  if (age >= policy.maxAgeMs && (first || age >= policy.maxAgeMs + policy.takeoverMs)) return { action: 'rotate', epoch: next, reason: 'age', recipients: members };
  const have = new Set(current.recipients);
  const missing = members.filter((u) => !have.has(u));
  if (missing.length > 0) return { action: 'share', epoch: current.epoch, recipients: missing };
  return { action: 'none' };
}

/**
 * KEY-7, the send gate: a device may seal under the current epoch only if that epoch was made
 * for every removal it knows of. Otherwise the change waits (`unknown_epoch`) until the new
 * epoch's key arrives — never sent where a removed member could read it.
 */
export function checkSendable(state: MembershipView, me: UserId, current: EpochKeyInfo | undefined): Result<EpochKeyInfo> {
  if (!state.members.has(me)) return fail('not_a_member', 'only members send to a conversation');
  if (current === undefined) return fail('unknown_epoch', 'no epoch key yet');
  if (current.removals < state.removals) return fail('unknown_epoch', 'waiting for the epoch that follows a removal');
  // C2: a key made for more removals than this device knows of is not trusted to send under.
  if (current.removals > state.removals) return fail('unknown_epoch', 'epoch key claims removals not known here yet');
  if (current.provisional === true || current.historical === true) return fail('unknown_epoch', 'epoch key not validated yet');
  return ok(current);
}
