import { describe, expect, it } from 'vitest';
import { isKithError } from '../../errors.js';
import type { MemberOpBody } from './member-op.js';
import { decodeMemberOp } from './member-op-codec.js';
import { createMembershipLog } from './membership-log.js';
import { ALICE, BOB, CAROL, craft, CREATED_AT, GROUP, MALLORY } from './membership-fixtures.js';

/** DIR-1 (docs/PROTOCOL.md, ADR 0027): a member's own card in the group's membership log. */
const card = (displayName: string, username: string): MemberOpBody => ({ type: 'card', displayName, username, avatar: null });

/** Canonical JSON bytes (sorted keys) of a value the encoder would refuse: what a hostile peer sends. */
function canonical(value: unknown): Uint8Array {
  const sort = (v: unknown): unknown =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sort(x)])) : v;
  return new TextEncoder().encode(JSON.stringify(sort(value)));
}

function founded() {
  const log = createMembershipLog(GROUP);
  const { hash } = log.create(ALICE, { type: 'create', name: 'g', description: '', icon: null, members: [{ user: BOB, role: 'member' }] }, CREATED_AT);
  return { log, genesis: hash };
}

describe('member cards (DIR-1)', () => {
  it('DIR-1: a card round-trips through the codec; any other shape is malformed', () => {
    const { bytes } = craft({ author: BOB, parents: ['a'.repeat(64)], lamport: 2, body: card('Bob B.', 'bob') });
    const d = decodeMemberOp(bytes);
    expect(d.ok && d.value.body).toEqual({ type: 'card', displayName: 'Bob B.', username: 'bob', avatar: null });
    for (const body of [
      { type: 'card', displayName: 'x', username: 'Not A Username', avatar: null },
      { type: 'card', displayName: 'x'.repeat(101), username: 'bob', avatar: null },
      { type: 'card', displayName: 'x', username: 'bob', avatar: '' },
      { type: 'card', displayName: 'x', username: 'bob' },
      { type: 'card', displayName: 'x', username: 'bob', avatar: null, user: ALICE },
    ]) {
      const r = decodeMemberOp(canonical({ v: 1, conversation: GROUP, author: BOB, parents: ['a'.repeat(64)], lamport: 2, at: CREATED_AT, body }));
      expect(r.ok ? 'ok' : r.error.code).toBe('malformed');
    }
  });

  it('DIR-1: a member names herself; her newest card replaces the older one and stays after she leaves', () => {
    const { log } = founded();
    log.create(BOB, card('Bob', 'bob'), CREATED_AT + 1);
    expect(log.state().cards.get(BOB)).toMatchObject({ displayName: 'Bob', username: 'bob', at: CREATED_AT + 1 });
    log.create(BOB, card('Robert', 'bob'), CREATED_AT + 2);
    expect(log.state().cards.get(BOB)?.displayName).toBe('Robert');
    log.create(BOB, { type: 'leave', cutoff: {} }, CREATED_AT + 3);
    expect(log.state().former.has(BOB)).toBe(true);
    expect(log.state().cards.get(BOB)?.displayName).toBe('Robert'); // her past messages keep a name
  });

  it('DIR-1: a card of someone else is refused with a typed error (signer ≠ author); a non-member\'s card takes no effect', () => {
    const { log, genesis } = founded();
    // Mallory signs an op that says it is Bob's card: the log refuses it (the envelope's proven author is Mallory).
    const forged = craft({ author: BOB, parents: [genesis], lamport: 2, body: card('Bob (real)', 'bob') });
    const r = log.receive(forged.bytes, MALLORY);
    expect(r.ok ? 'ok' : r.error.code).toBe('unauthorized');
    expect(log.state().cards.has(BOB)).toBe(false);
    // Her own card, while not a member: applied to the log but without effect.
    const own = craft({ author: MALLORY, parents: [genesis], lamport: 2, body: card('Alice', 'alice') });
    expect(log.receive(own.bytes, MALLORY).ok).toBe(true);
    expect(log.state().cards.has(MALLORY)).toBe(false);
    expect(log.history().find((h) => h.hash === own.hash)?.effective).toBe(false);
    // And a member cannot write one for another from her own device either: the API has no subject.
    try {
      log.create(CAROL, card('Carol', 'carol'), CREATED_AT + 5);
      throw new Error('expected not_a_member');
    } catch (error) {
      expect(isKithError(error, 'not_a_member')).toBe(true);
    }
  });

  it('DIR-1: concurrent cards of one member converge to the same one on every replica (canonical order)', () => {
    const a = founded();
    const b = createMembershipLog(GROUP);
    for (const bytes of a.log.allOps()) b.receive(bytes, ALICE);
    const x = a.log.create(BOB, card('From phone', 'bob'), CREATED_AT + 10);
    const y = b.create(BOB, card('From laptop', 'bob'), CREATED_AT + 10);
    a.log.receive(y.bytes, BOB);
    b.receive(x.bytes, BOB);
    expect(a.log.state().cards.get(BOB)).toEqual(b.state().cards.get(BOB));
  });
});
