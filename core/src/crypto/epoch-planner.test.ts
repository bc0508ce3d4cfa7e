import { describe, expect, it } from 'vitest';
import { parseUserId, type UserId } from '../ids.js';
import type { MembershipView } from './authorize.js';
import { createCounterTracker } from './counter-tracker.js';
import { checkRotationPolicy, checkSendable, planEpoch, DEFAULT_ROTATION_POLICY } from './epoch-planner.js';
import type { EpochKeyInfo } from './keyring.js';

const u = (n: number): UserId => parseUserId(`0190a1b2-0000-8000-8000-${String(n).padStart(12, '0')}`);
const [A, B, C, D] = [u(1), u(2), u(3), u(4)];
const NOW = 1_700_000_000_000;

function view(members: Array<[UserId, 'admin' | 'member']>, removals = 0): MembershipView {
  return { created: true, members: new Map(members.map(([id, role]) => [id, { role }])), former: new Map(), cutoffs: new Map(), removals };
}
function epoch(n: number, removals: number, recipients: UserId[], createdAt = NOW): EpochKeyInfo {
  return { scope: 'c', epoch: n, keyHash: 'aa', removals, createdAt, createdBy: A, recipients };
}
const base = { me: A, messagesInEpoch: 0, now: NOW, authoredRemoval: false, staleSince: null };

describe('epoch planner (KEY-6, KEY-7)', () => {
  it('KEY-6a an admin creates the first epoch for every member; a member never plans', () => {
    const s = view([[A, 'admin'], [B, 'member']]);
    expect(planEpoch({ ...base, state: s, current: undefined })).toEqual({ action: 'rotate', epoch: 0, reason: 'initial', recipients: [A, B] });
    expect(planEpoch({ ...base, me: B, state: s, current: undefined })).toEqual({ action: 'none' });
  });

  it('KEY-6b after a removal: the remover rotates now, the smallest admin on sight, others after takeoverMs', () => {
    const s = view([[A, 'admin'], [B, 'admin'], [C, 'member']], 1);
    const cur = epoch(0, 0, [A, B, C, D]);
    expect(planEpoch({ ...base, me: B, state: s, current: cur, authoredRemoval: true, staleSince: NOW })).toMatchObject({ action: 'rotate', epoch: 1, reason: 'removal', recipients: [A, B, C] });
    expect(planEpoch({ ...base, me: A, state: s, current: cur, staleSince: NOW })).toMatchObject({ action: 'rotate', reason: 'removal' });
    expect(planEpoch({ ...base, me: B, state: s, current: cur, staleSince: NOW })).toEqual({ action: 'none' });
    expect(planEpoch({ ...base, me: B, state: s, current: cur, staleSince: NOW - DEFAULT_ROTATION_POLICY.takeoverMs })).toMatchObject({ action: 'rotate' });
  });

  it('KEY-6c/d rotation after count or age; joiners get the current key', () => {
    const s = view([[A, 'admin'], [B, 'member'], [C, 'member']]);
    const cur = epoch(3, 0, [A, B, C]);
    expect(planEpoch({ ...base, state: s, current: cur, messagesInEpoch: 10_000 })).toMatchObject({ action: 'rotate', epoch: 4, reason: 'count' });
    expect(planEpoch({ ...base, state: s, current: cur, now: NOW + DEFAULT_ROTATION_POLICY.maxAgeMs })).toMatchObject({ action: 'rotate', reason: 'age' });
    expect(planEpoch({ ...base, state: s, current: epoch(3, 0, [A, B]) })).toEqual({ action: 'share', epoch: 3, recipients: [C] });
    // Two admins see the count/age together: the smaller id rotates at once, the other only if
    // it did not (a quarter more messages, or takeoverMs later), so they rarely both rotate.
    const two = view([[A, 'admin'], [B, 'admin'], [C, 'member']]);
    expect(planEpoch({ ...base, state: two, current: cur, messagesInEpoch: 10_000 })).toMatchObject({ action: 'rotate', reason: 'count' });
    expect(planEpoch({ ...base, me: B, state: two, current: cur, messagesInEpoch: 10_000 })).toEqual({ action: 'none' });
    expect(planEpoch({ ...base, me: B, state: two, current: cur, messagesInEpoch: 12_500 })).toMatchObject({ action: 'rotate', reason: 'count' });
    const old = NOW + DEFAULT_ROTATION_POLICY.maxAgeMs;
    expect(planEpoch({ ...base, me: B, state: two, current: cur, now: old })).toEqual({ action: 'none' });
    expect(planEpoch({ ...base, me: B, state: two, current: cur, now: old + DEFAULT_ROTATION_POLICY.takeoverMs })).toMatchObject({ action: 'rotate', reason: 'age' });
    expect(planEpoch({ ...base, state: s, current: cur })).toEqual({ action: 'none' });
  });

  it('checkRotationPolicy refuses what would rotate on every plan', () => {
    expect(checkRotationPolicy(DEFAULT_ROTATION_POLICY).ok).toBe(true);
    for (const bad of [{ maxMessages: 0 }, { maxMessages: -5 }, { maxMessages: 1.5 }, { maxAgeMs: 0 }, { takeoverMs: -1 }, { maxMessages: Number.NaN }]) {
      const r = checkRotationPolicy({ ...DEFAULT_ROTATION_POLICY, ...bad });
      expect(r.ok ? 'ok' : r.error.code).toBe('invalid_argument');
    }
  });

  it('KEY-7 nothing is sealed under an epoch older than the last removal', () => {
    const s = view([[A, 'admin'], [B, 'member']], 2);
    const r1 = checkSendable(s, B, epoch(4, 1, [A, B]));
    expect(r1.ok ? 'ok' : r1.error.code).toBe('unknown_epoch');
    expect(checkSendable(s, B, epoch(5, 2, [A, B])).ok).toBe(true);
    const r2 = checkSendable(s, C, epoch(5, 2, [A, B]));
    expect(r2.ok ? 'ok' : r2.error.code).toBe('not_a_member');
  });
});

describe('counter tracker (ENV-5)', () => {
  it('fills gaps late, refuses replays and bounds remembered gap ranges', () => {
    const t = createCounterTracker({ maxGapRanges: 2, maxJump: 1000 });
    for (const c of [1, 3, 6, 10]) {
      expect(t.check('s', c).ok).toBe(true);
      t.record('s', c);
    }
    expect(t.gaps('s')).toEqual([[4, 5], [7, 9]]);
    expect(t.check('s', 2).ok).toBe(false); // range [2,2] was forgotten (bounded)
    expect(t.check('s', 8)).toEqual({ ok: true, value: { gap: 0, late: true } });
    t.record('s', 8);
    expect(t.gaps('s')).toEqual([[4, 5], [7, 7], [9, 9]]);
    const jump = t.check('s', 2000);
    expect(jump.ok ? 'ok' : jump.error.code).toBe('counter_gap');
    expect(t.check('s', 0).ok).toBe(false);
    expect(t.highest('s')).toBe(10);
    const restored = createCounterTracker({}, t.snapshot());
    expect(restored.gaps('s')).toEqual(t.gaps('s'));
    expect(restored.check('s', 10).ok).toBe(false);
    expect(restored.check('s', 9).ok).toBe(true);
  });
});
