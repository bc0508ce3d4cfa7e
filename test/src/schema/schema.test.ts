import { uuidV7Time } from '@kith/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConstraints } from './constraints.js';
import { describeDocConsistency } from './doc-consistency.js';
import { describeInvariants } from './invariants.js';
import { describeQueryPlans } from './query-plans.js';
import { at } from './sample-data.js';
import { createSchemaDb } from './schema-db.js';
import type { Rows, SchemaDb } from './schema-db.js';

/**
 * docs/schema.sql in a real PostgreSQL engine (PGlite, in-process): it loads, every named
 * query returns exactly what the sample data implies, and the constraints reject what they
 * exist to reject (constraints.ts, invariants.ts). One database for the whole file: PGlite's
 * start-up is the expensive part; mutating checks run in rolled-back transactions.
 */
let s: SchemaDb;
const checked = { queries: new Set<string>(), rows: 0, rejections: 0 };
const get = (): SchemaDb => s;

async function run(name: string, params: unknown[] = []): Promise<Rows> {
  checked.queries.add(name);
  const rows = await s.run(name, params);
  checked.rows += rows.length;
  return rows;
}

beforeAll(async () => {
  s = await createSchemaDb();
}, 120_000);

afterAll(async () => {
  console.log(
    `schema.sql: ${checked.queries.size}/${s.queryNames.length} named queries checked ` +
      `(${checked.rows} rows compared), ${checked.rejections} constraint rejections checked`,
  );
  await s.close();
});

const pick = (rows: Rows, keys: string[]): unknown[][] => rows.map((r) => keys.map((k) => r[k]));

describe('docs/schema.sql named queries', () => {
  it('names every query this test checks (and nothing else)', () => {
    expect([...s.queryNames].sort()).toEqual([
      'call_history', 'chat_list', 'contact_list', 'conversation_page', 'group_members',
      'message_reactions', 'message_receipts', 'react', 'receipt_merge', 'seed_example_corrected',
    ]);
  });

  it('seed_example_corrected: joins users on id, whole history in a deterministic order', async () => {
    const { msg, direct } = s.sample;
    const rows = await run('seed_example_corrected', [direct]);
    expect(pick(rows, ['id', 'body', 'username', 'deleted'])).toEqual([
      [msg['d1'], 'Hi Bob', 'alice', false],
      [msg['d2'], 'Hey Alice! 👋', 'bob', false],
      [msg['d3'], 'Lunch today?', 'alice', false],
      [msg['d4'], 'At noon', 'alice', false],
      [msg['d5'], 'Sure — where?', 'bob', false],
      [msg['d6'], null, 'alice', false],
      [msg['d7'], null, 'alice', true],
      [msg['d8'], 'Menu: soup of the day', 'bob', false],
      [msg['d9'], 'See you there', 'alice', false],
    ]);
    // d3 and d4 share a millisecond: the id (HLC counter) decides, on every device alike.
    expect(rows[2]!['created_at']).toEqual(rows[3]!['created_at']);
    // created_at is the time inside the UUIDv7 id, as core's uuidV7Time reads it.
    for (const r of rows) expect((r['created_at'] as Date).getTime()).toBe(uuidV7Time(r['id'] as string));
  });

  it('conversation_page: keyset pages, newest first, no gaps or repeats at equal timestamps', async () => {
    const { msg, direct, user } = s.sample;
    const pages: unknown[][] = [];
    let cursor: [Date | null, string | null] = [null, null];
    for (;;) {
      const rows = await run('conversation_page', [direct, user.alice, ...cursor, 3]);
      if (rows.length === 0) break;
      pages.push(rows.map((r) => r['id']));
      const last = rows[rows.length - 1]!;
      cursor = [last['created_at'] as Date, last['id'] as string];
    }
    const m = (...labels: string[]) => labels.map((l) => msg[l]);
    expect(pages).toEqual([m('d9', 'd8', 'd7'), m('d6', 'd5', 'd4'), m('d3', 'd2', 'd1')]);

    const page = await run('conversation_page', [direct, user.bob, null, null, 9]);
    const byId = new Map(page.map((r) => [r['id'], r]));
    expect(byId.get(msg['d5'])!['reply_to_id']).toBe(msg['d4']);
    expect(byId.get(msg['d8'])!['forwarded']).toBe(true);
    expect(byId.get(msg['d2'])!['edited_at']).toEqual(at(2.5));
    expect(pick([byId.get(msg['d6'])!, byId.get(msg['d7'])!], ['body', 'deleted', 'attachments'])).toEqual([
      [null, false, 1],
      [null, true, 0],
    ]);
  });

  it('conversation_page: hides what the viewer cleared, only for them', async () => {
    const { msg, group, user } = s.sample;
    const ids = async (viewer: string) =>
      (await run('conversation_page', [group, viewer, null, null, 50])).map((r) => r['id']);
    expect(await ids(user.carol)).toEqual(['g6', 'g5', 'g4', 'g3', 'g2'].map((l) => msg[l]));
    expect(await ids(user.alice)).toEqual(['g6', 'g5', 'g4', 'g3', 'g2', 'g1'].map((l) => msg[l]));
  });

  it('chat_list: title, last message, unread count, pinned/archived/muted, deterministic order', async () => {
    const { msg, direct, group, user } = s.sample;
    const cols = ['id', 'kind', 'title', 'last_message_id', 'last_sender_id', 'last_body', 'unread', 'pinned', 'archived', 'muted'];
    expect(pick(await run('chat_list', [user.bob]), cols)).toEqual([
      [group, 'group', 'Trip to Lisbon', msg['g6'], user.dave, "I'm back", 2, true, false, false],
      [direct, 'direct', 'Alice Liddell', msg['d9'], user.alice, 'See you there', 1, false, false, false],
    ]);
    expect(pick(await run('chat_list', [user.alice]), cols)).toEqual([
      [group, 'group', 'Trip to Lisbon', msg['g6'], user.dave, "I'm back", 0, false, false, true],
      [direct, 'direct', 'Bob', msg['d9'], user.alice, 'See you there', 0, false, false, false],
    ]);
    expect(pick(await run('chat_list', [user.carol]), ['id', 'unread'])).toEqual([[group, 3]]);
    expect(pick(await run('chat_list', [user.dave]), ['id', 'unread'])).toEqual([[group, 0]]);
    expect(await run('chat_list', [user.erin])).toEqual([]);
  });

  it('group_members: current members with roles, admins first; a re-added member appears once', async () => {
    const { group } = s.sample;
    const rows = await run('group_members', [group]);
    expect(pick(rows, ['username', 'role', 'added_by', 'joined_at'])).toEqual([
      ['alice', 'admin', null, at(10)],
      ['bob', 'admin', 'alice', at(10 + 1 / 60)],
      ['carol', 'member', 'bob', at(11)],
      ['dave', 'member', 'bob', at(40)],
    ]);
  });

  it('message_receipts: status per member derived from watermarks (max over devices)', async () => {
    const { msg } = s.sample;
    const status = async (label: string) => pick(await run('message_receipts', [msg[label]]), ['username', 'status']);
    // g5 was sent while dave was removed: he is not a recipient of it.
    expect(await status('g5')).toEqual([['bob', 'delivered'], ['carol', 'sent']]);
    expect(await status('g3')).toEqual([['alice', 'read'], ['bob', 'read'], ['dave', 'read']]);
    // bob's phone read up to d6, his laptop up to d7: the member's watermark is the max.
    expect(await status('d7')).toEqual([['bob', 'read']]);
    expect(await status('d9')).toEqual([['bob', 'delivered']]);
  });

  it('message_reactions: grouped by emoji; a tombstone took its reactions with it', async () => {
    const { msg } = s.sample;
    expect(pick(await run('message_reactions', [msg['g4']]), ['emoji', 'count', 'users'])).toEqual([
      ['👍', 2, ['alice', 'carol']],
      ['❤️', 1, ['dave']],
    ]);
    expect(await run('message_reactions', [msg['d7']])).toEqual([]);
  });

  it('react: a second reaction replaces the first; a stale one is ignored', async () => {
    const { msg, user } = s.sample;
    await s.scratch(async () => {
      expect(pick(await run('react', [msg['g4'], user.carol, '😂', at(50)]), ['emoji'])).toEqual([['😂']]);
      expect(await run('react', [msg['g4'], user.carol, '🎉', at(40)])).toEqual([]);
      expect(pick(await run('message_reactions', [msg['g4']]), ['emoji', 'count', 'users'])).toEqual([
        ['👍', 1, ['alice']],
        ['❤️', 1, ['dave']],
        ['😂', 1, ['carol']],
      ]);
    });
  });

  it('receipt_merge: watermarks only move forward; a stale merge changes nothing', async () => {
    const { msg, direct, user, device } = s.sample;
    await s.scratch(async () => {
      const merge = async (dev: string, delivered: string | null, read: string | null) =>
        pick(await run('receipt_merge', [direct, user.bob, dev, delivered, read]), ['delivered_up_to', 'read_up_to']);
      expect(await merge(device['b1']!, msg['d5']!, msg['d2']!)).toEqual([[msg['d9'], msg['d6']]]);
      expect(await merge(device['b1']!, msg['d8']!, msg['d9']!)).toEqual([[msg['d9'], msg['d9']]]);
      expect(await merge('019ca8a0-0000-7000-8000-000000000003', null, msg['d3']!)).toEqual([[msg['d3'], msg['d3']]]);
      expect(await run('message_receipts', [msg['d9']])).toEqual([{ user_id: user.bob, username: 'bob', status: 'read' }]);
    });
  });

  it('contact_list: relationships derived from both directions', async () => {
    const { user } = s.sample;
    const cols = ['username', 'relationship', 'nickname', 'blocked'];
    expect(pick(await run('contact_list', [user.alice]), cols)).toEqual([
      ['bob', 'accepted', 'Bobby', false],
      ['carol', 'outgoing', null, false],
      ['dave', 'declined', null, false],
    ]);
    expect(pick(await run('contact_list', [user.carol]), cols)).toEqual([
      ['alice', 'incoming', null, false],
      ['erin', 'accepted', null, false],
    ]);
    expect(pick(await run('contact_list', [user.bob]), cols)).toEqual([
      ['alice', 'accepted', null, false],
      ['erin', 'accepted', null, false],
    ]);
  });

  it('contact_list: a block is one-sided and private (visible only to the blocker)', async () => {
    const { user } = s.sample;
    const cols = ['username', 'relationship', 'my_stance', 'their_stance', 'nickname', 'blocked'];
    expect(pick(await run('contact_list', [user.erin]), cols)).toEqual([
      ['bob', 'accepted', 'requested', 'requested', null, false],
      ['carol', 'blocked', 'accepted', 'requested', null, true],
    ]);
    // carol's view is identical whether or not erin blocks her.
    const carolsView = await run('contact_list', [user.carol]);
    await s.scratch(async () => {
      await s.db.query('UPDATE contacts SET blocked_at = NULL WHERE owner_id = $1', [user.erin]);
      expect(await run('contact_list', [user.carol])).toEqual(carolsView);
    });
    // The block is stored in exactly one row, owned by the blocker.
    const blocks = await s.db.query('SELECT owner_id, contact_id FROM contacts WHERE blocked_at IS NOT NULL');
    expect(blocks.rows).toEqual([{ owner_id: user.erin, contact_id: user.carol }]);
  });

  it('call_history: caller, kind, outcome, duration, participants, screen shares', async () => {
    const { direct, group, call } = s.sample;
    const cols = ['id', 'caller', 'kind', 'state', 'end_reason', 'duration_ms', 'joined', 'screen_shares'];
    expect(pick(await run('call_history', [direct]), cols)).toEqual([
      [call['c2'], 'bob', 'voice', 'missed', 'no_answer', null, 1, 0],
      [call['c1'], 'alice', 'video', 'completed', 'hangup', 600_000, 2, 1],
    ]);
    expect(pick(await run('call_history', [group]), cols)).toEqual([
      [call['c3'], 'carol', 'video', 'ongoing', null, null, 2, 1],
    ]);
  });

  it('runs every named query at least once', () => {
    expect([...checked.queries].sort()).toEqual([...s.queryNames].sort());
  });
});

describeConstraints(get, () => {
  checked.rejections++;
});
describeInvariants(get, () => {
  checked.rejections++;
});
describeDocConsistency(get);
describeQueryPlans(get);
