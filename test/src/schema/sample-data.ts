import type { PGlite } from '@electric-sql/pglite';
import { groupConversationId } from '@kith/core';
import type { ConversationId, UserId } from '@kith/core';
import { createSampleIds } from './sample-ids.js';
import type { SampleIds } from './sample-ids.js';

/** 2026-03-01 09:00:00 UTC; sample times are minutes after it. */
export const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
export const at = (minutes: number): Date => new Date(T0 + Math.round(minutes * 60_000));
export const ms = (minutes: number): number => T0 + Math.round(minutes * 60_000);

export type Row = Record<string, unknown>;

/** INSERT one row; column names come from our own literals, values are parameters. */
export async function insert(db: PGlite, table: string, row: Row): Promise<void> {
  const cols = Object.keys(row);
  const params = cols.map((_, i) => `$${i + 1}`).join(', ');
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${params})`, Object.values(row));
}

export const USERNAMES = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
export type Username = (typeof USERNAMES)[number];

export interface Sample {
  readonly ids: SampleIds;
  readonly user: Record<Username, UserId>;
  /** The direct conversation of alice and bob. */
  readonly direct: ConversationId;
  /** The group "Trip to Lisbon". */
  readonly group: string;
  /** Messages by label: d1…d9 in the direct chat, g1…g6 in the group. */
  readonly msg: Record<string, string>;
  readonly device: Record<string, string>;
  readonly call: Record<string, string>;
}

/**
 * A small, realistic world (times in minutes after T0):
 * - contacts: alice⇄bob accepted; alice→carol pending; dave→alice declined by alice;
 *   erin⇄bob requested both ways; carol⇄erin accepted and erin privately blocks carol.
 * - direct alice–bob (0): d1…d9 — an edit (d2), two messages in the same millisecond (d3, d4),
 *   a reply (d5→d4), an attachment-only photo (d6), a delete for everyone (d7), a forward (d8).
 * - group "Trip to Lisbon" (10): alice creator/admin, bob admin, carol, dave removed at 30 and
 *   re-added at 40; messages g1…g6, reactions on g4, receipts per device.
 * - calls: a completed video call with a screen share and a missed voice call (direct); an
 *   ongoing group video call.
 */
export async function insertSampleData(db: PGlite, seed = 2): Promise<Sample> {
  const ids = createSampleIds(seed);
  const user = {} as Record<Username, UserId>;
  const displayNames: Record<Username, string> = {
    alice: 'Alice Liddell', bob: 'Bob', carol: '', dave: 'Dave', erin: 'Erin',
  };
  for (const name of USERNAMES) {
    const u = ids.user();
    user[name] = u.id;
    await insert(db, 'users', {
      id: u.id, signing_key: u.signingKey, agreement_key: ids.bytes(32), agreement_sig: ids.bytes(64),
      username: name, display_name: displayNames[name], created_at: at(-1000), updated_at: at(-1000),
    });
  }
  const { alice, bob, carol, dave, erin } = user;

  const stance = (from: UserId, to: UserId, s: string, t: number): Promise<void> =>
    insert(db, 'contact_requests', { from_id: from, to_id: to, stance: s, updated_at: at(t) });
  await stance(alice, bob, 'requested', -500);
  await stance(bob, alice, 'accepted', -499);
  await stance(alice, carol, 'requested', -400);
  await stance(dave, alice, 'requested', -300);
  await stance(alice, dave, 'declined', -299);
  await stance(erin, bob, 'requested', -200);
  await stance(bob, erin, 'requested', -200);
  await stance(carol, erin, 'requested', -150);
  await stance(erin, carol, 'accepted', -149);
  await insert(db, 'contacts', { owner_id: alice, contact_id: bob, nickname: 'Bobby' });
  await insert(db, 'contacts', { owner_id: erin, contact_id: carol, blocked_at: at(-100) });

  // --- direct conversation alice–bob
  const direct = ids.direct(alice, bob);
  await insert(db, 'conversations', { id: direct, kind: 'direct', direct_a: bob, direct_b: alice, created_at: at(0) });
  for (const u of [alice, bob]) {
    await insert(db, 'conversation_members', { conversation_id: direct, user_id: u, joined_at: at(0) });
  }
  const msg: Record<string, string> = {};
  const send = async (label: string, conv: string, sender: UserId, minutes: number, extra: Row = {}, counter = 0) => {
    const id = ids.v7(ms(minutes), counter);
    msg[label] = id;
    await insert(db, 'messages', { id, conversation_id: conv, sender_id: sender, created_at: new Date(ms(minutes)), ...extra });
  };
  await send('d1', direct, alice, 1, { body: 'Hi Bob' });
  await send('d2', direct, bob, 2, { body: 'Hey Alice!' });
  await db.query('UPDATE messages SET body = $2, edited_at = $3 WHERE id = $1', [msg['d2'], 'Hey Alice! 👋', at(2.5)]);
  await send('d3', direct, alice, 3, { body: 'Lunch today?' }, 0);
  await send('d4', direct, alice, 3, { body: 'At noon' }, 1); // same millisecond, next HLC counter
  await send('d5', direct, bob, 4, { body: 'Sure — where?', reply_to_id: msg['d4'] });
  await send('d6', direct, alice, 5, {});
  await insert(db, 'message_attachments', {
    id: ids.v7(ms(5), 1), message_id: msg['d6'], position: 0, blob_id: 'ab'.repeat(32), content_key: ids.bytes(32),
    content_hash: ids.bytes(32), mime_type: 'image/jpeg', size_bytes: 482_113, file_name: 'cafe.jpg', width: 1600,
    height: 1200, created_at: at(5),
  });
  await send('d7', direct, alice, 6, { body: 'oops, wrong chat' });
  await insert(db, 'message_attachments', {
    id: ids.v7(ms(6), 1), message_id: msg['d7'], position: 0, blob_id: 'cd'.repeat(32), content_key: ids.bytes(32),
    hash_alg: 'blake2b', content_hash: ids.bytes(32), mime_type: 'application/pdf', size_bytes: 90_000, file_name: 'payslip.pdf', created_at: at(6),
  });
  await insert(db, 'message_reactions', { message_id: msg['d7'], user_id: bob, emoji: '😮', reacted_at: at(6.5) });
  await db.query('UPDATE messages SET body = NULL, deleted_at = $2 WHERE id = $1', [msg['d7'], at(7)]);
  await send('d8', direct, bob, 8, { body: 'Menu: soup of the day', forwarded: true });
  await send('d9', direct, alice, 9, { body: 'See you there' });

  // --- group "Trip to Lisbon"
  const group = groupConversationId(alice, ms(10));
  await insert(db, 'conversations', { id: group, kind: 'group', created_at: at(10) });
  await insert(db, 'groups', { conversation_id: group, name: 'Trip to Lisbon', description: 'Friday → Sunday', creator_id: alice });
  const member = (u: UserId, joined: number, role: string, addedBy: UserId | null, left?: number, removedBy?: UserId) =>
    insert(db, 'conversation_members', {
      conversation_id: group, user_id: u, joined_at: at(joined), role, added_by: addedBy,
      left_at: left === undefined ? null : at(left), removed_by: removedBy ?? null,
    });
  await member(alice, 10, 'admin', null);
  await member(bob, 10 + 1 / 60, 'admin', alice);
  await member(carol, 11, 'member', bob);
  await member(dave, 10 + 2 / 60, 'member', alice, 30, alice);
  await member(dave, 40, 'member', bob);
  await send('g1', group, alice, 12, { body: 'Welcome to the trip group' });
  await send('g2', group, dave, 15, { body: 'Thanks!' });
  await send('g3', group, carol, 20, { body: 'When do we leave?' });
  await send('g4', group, bob, 21, { body: 'Friday 8:00', reply_to_id: msg['g3'] });
  await send('g5', group, alice, 35, { body: 'Dave, re-adding you soon' });
  await send('g6', group, dave, 45, { body: "I'm back" });
  const react = (m: string, u: UserId, emoji: string, t: number) =>
    insert(db, 'message_reactions', { message_id: msg[m], user_id: u, emoji, reacted_at: at(t) });
  await react('g4', alice, '👍', 22);
  await react('g4', carol, '👍', 23);
  await react('g4', dave, '❤️', 46);

  // --- receipts: per member and device, two watermarks (message ids)
  const device: Record<string, string> = {
    a1: ids.v7(ms(-900)), b1: ids.v7(ms(-900)), b2: ids.v7(ms(-800)), c1: ids.v7(ms(-900)), d1: ids.v7(ms(-900)),
  };
  const rcpt = (conv: string, u: UserId, dev: string, delivered: string, read: string | null) =>
    insert(db, 'receipt_watermarks', {
      conversation_id: conv, user_id: u, device_id: device[dev], delivered_up_to: msg[delivered],
      read_up_to: read === null ? null : msg[read],
    });
  await rcpt(direct, alice, 'a1', 'd8', 'd8');
  await rcpt(direct, bob, 'b1', 'd9', 'd6');
  await rcpt(direct, bob, 'b2', 'd7', 'd7');
  await rcpt(group, alice, 'a1', 'g6', 'g6');
  await rcpt(group, bob, 'b1', 'g6', 'g4');
  await rcpt(group, carol, 'c1', 'g4', 'g3');
  await rcpt(group, dave, 'd1', 'g6', 'g6');

  // --- per-user conversation state
  await insert(db, 'conversation_user_state', { user_id: bob, conversation_id: group, pinned: true });
  await insert(db, 'conversation_user_state', { user_id: alice, conversation_id: group, muted_until: 'infinity' });
  await insert(db, 'conversation_user_state', { user_id: carol, conversation_id: group, cleared_up_to: msg['g1'] });

  // --- calls
  const call: Record<string, string> = { c1: ids.v7(ms(100)), c2: ids.v7(ms(120)), c3: ids.v7(ms(130)) };
  await insert(db, 'calls', {
    id: call['c1'], conversation_id: direct, caller_id: alice, kind: 'video', state: 'completed',
    started_at: at(100), answered_at: at(100 + 10 / 60), ended_at: at(110 + 10 / 60), end_reason: 'hangup',
  });
  await insert(db, 'call_participants', { call_id: call['c1'], user_id: alice, state: 'left', joined_at: at(100), left_at: at(110 + 10 / 60) });
  await insert(db, 'call_participants', { call_id: call['c1'], user_id: bob, state: 'left', joined_at: at(100 + 10 / 60), left_at: at(110 + 10 / 60) });
  await insert(db, 'screen_shares', { id: ids.v7(ms(102)), call_id: call['c1'], sharer_id: alice, started_at: at(102), ended_at: at(105) });
  await insert(db, 'calls', {
    id: call['c2'], conversation_id: direct, caller_id: bob, kind: 'voice', state: 'missed',
    started_at: at(120), ended_at: at(120.5), end_reason: 'no_answer',
  });
  await insert(db, 'call_participants', { call_id: call['c2'], user_id: bob, state: 'left', joined_at: at(120), left_at: at(120.5) });
  await insert(db, 'call_participants', { call_id: call['c2'], user_id: alice, state: 'missed' });
  await insert(db, 'calls', {
    id: call['c3'], conversation_id: group, caller_id: carol, kind: 'video', state: 'ongoing',
    started_at: at(130), answered_at: at(130 + 5 / 60),
  });
  await insert(db, 'call_participants', { call_id: call['c3'], user_id: carol, state: 'joined', joined_at: at(130) });
  await insert(db, 'call_participants', { call_id: call['c3'], user_id: alice, state: 'joined', joined_at: at(130 + 5 / 60) });
  await insert(db, 'call_participants', { call_id: call['c3'], user_id: bob, state: 'declined' });
  await insert(db, 'call_participants', { call_id: call['c3'], user_id: dave, state: 'ringing' });
  await insert(db, 'screen_shares', { id: ids.v7(ms(131)), call_id: call['c3'], sharer_id: alice, started_at: at(131) });

  return { ids, user, direct, group, msg, device, call };
}
