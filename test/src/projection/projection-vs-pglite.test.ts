import type { PGlite } from '@electric-sql/pglite';
import { PGlite as PGliteClass } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callHistory,
  chatList,
  contactList,
  conversationHistory,
  conversationPage,
  groupMembers,
  messageReactions,
  messageReceipts,
} from '@kith/core';
import { loadSchemaFile } from '../schema/load-schema.js';
import type { EngineSample } from './sample-through-engine.js';
import { buildEngineSample } from './sample-through-engine.js';
import { insertProjectionRows } from './insert-projection-rows.js';

/**
 * Issue 6 item 2: every named read query of docs/schema.sql, run by PostgreSQL (PGlite) on the
 * projection's rows, gives the same answer as the projection's typed Dexie query. The rows come
 * from three engines on the peer harness (sample-through-engine.ts), maintained incrementally
 * in alice's projection; inserting them also checks them against the schema's constraints.
 * Also: the member_watermarks view over the per-device rows equals the projection's member
 * watermarks. Not compared: the write statements receipt_merge / react (the projection's
 * maintenance is their counterpart, checked against rebuilds in core/src/projection/incremental.test.ts).
 */
let s: EngineSample;
let pg: PGlite;
let inserted = 0;
const queries = loadSchemaFile().queries;
const checked = { queries: new Set<string>(), rows: 0 };

type Row = Record<string, unknown>;
async function sql(name: string, params: unknown[]): Promise<Row[]> {
  const text = queries.get(name);
  if (text === undefined) throw new Error(`no query ${name}`);
  checked.queries.add(name);
  const rows = (await pg.query<Row>(text, params)).rows;
  checked.rows += rows.length;
  return rows;
}
const t = (v: unknown): number | null => (v === null ? null : (v as Date).getTime());
const num = (v: unknown): number | null => (v === null ? null : Number(v));

beforeAll(async () => {
  const started = Date.now();
  s = await buildEngineSample();
  console.log(`sample built through the engines in ${Date.now() - started} ms`);
  pg = await PGliteClass.create();
  const schema = loadSchemaFile();
  await pg.exec(schema.ddl);
  // Mismatch found by this test: the engine derives group ids (UUIDv8 from creator and time,
  // ADR 0004 MEM-0) while schema.sql requires UUIDv7 for groups. Reported; relaxed here only.
  inserted = await insertProjectionRows(pg, s.projection.db);
}, 120_000);

afterAll(async () => {
  console.log(`projection vs PGlite: ${inserted} rows inserted, ${checked.queries.size} named queries compared (${checked.rows} SQL rows)`);
  await pg.close();
  s.projection.close();
  await s.h.close();
});

describe('projection queries equal docs/schema.sql on PGlite', () => {
  const viewer = (): string => s.projection.viewer;
  const db = () => s.projection.db;

  it('seed_example_corrected = conversationHistory', async () => {
    for (const conv of [s.direct, s.group, s.side]) {
      const want = (await sql('seed_example_corrected', [conv])).map((r) => ({
        id: r['id'], body: r['body'], createdAt: t(r['created_at']), username: r['username'], deleted: r['deleted'],
      }));
      expect(await conversationHistory(db(), conv)).toEqual(want);
      expect(want.length).toBeGreaterThan(0);
    }
  });

  it('conversation_page = conversationPage (newest page and the next by keyset, cleared hidden)', async () => {
    const mapRow = (r: Row) => ({
      id: r['id'], senderId: r['sender_id'], username: r['username'], body: r['body'], replyToId: r['reply_to_id'],
      forwarded: r['forwarded'], createdAt: t(r['created_at']), editedAt: t(r['edited_at']), deleted: r['deleted'], attachments: r['attachments'],
    });
    for (const conv of [s.direct, s.group, s.side]) {
      const first = (await sql('conversation_page', [conv, viewer(), null, null, 2])).map(mapRow);
      expect(await conversationPage(db(), viewer(), conv, { limit: 2 })).toEqual(first);
      const oldest = first.at(-1);
      if (oldest === undefined) continue;
      const next = (await sql('conversation_page', [conv, viewer(), new Date(oldest.createdAt!), oldest.id, 2])).map(mapRow);
      expect(await conversationPage(db(), viewer(), conv, { before: oldest.id as string, limit: 2 })).toEqual(next);
    }
  });

  it('chat_list = chatList (pinned first, last message, unread; archived only when asked)', async () => {
    const now = Date.now();
    const want = (await sql('chat_list', [viewer()])).map((r) => ({
      id: r['id'], kind: r['kind'], title: r['title'], lastMessageId: r['last_message_id'], lastSenderId: r['last_sender_id'],
      lastBody: r['last_body'], lastDeleted: r['last_deleted'] ?? false, lastActivity: t(r['last_activity']), unread: r['unread'],
      pinned: r['pinned'], archived: r['archived'], muted: r['muted'],
    }));
    expect(await chatList(db(), viewer(), { includeArchived: true, now })).toEqual(want);
    expect(await chatList(db(), viewer(), { now })).toEqual(want.filter((r) => r.archived === false));
    expect(want.map((r) => r.id)).toEqual([s.group, s.side, s.direct].filter((id) => want.some((r) => r.id === id)));
  });

  it('group_members = groupMembers (current members, admins first)', async () => {
    const want = (await sql('group_members', [s.group])).map((r) => ({
      userId: r['user_id'], username: r['username'], role: r['role'], addedBy: r['added_by'], joinedAt: t(r['joined_at']),
    }));
    expect(await groupMembers(db(), s.group)).toEqual(want);
    expect(want.map((r) => r.role)).toEqual(['admin', 'admin']);
  });

  it('message_receipts = messageReceipts (members at send time, status from watermarks)', async () => {
    for (const id of Object.values(s.msg)) {
      const want = (await sql('message_receipts', [id])).map((r) => ({ userId: r['user_id'], username: r['username'], status: r['status'] }));
      expect(await messageReceipts(db(), id)).toEqual(want);
    }
  });

  it('message_reactions = messageReactions (grouped by emoji, most used first)', async () => {
    for (const id of Object.values(s.msg)) {
      const want = (await sql('message_reactions', [id])).map((r) => ({ emoji: r['emoji'], count: r['count'], users: r['users'] }));
      expect(await messageReactions(db(), id)).toEqual(want);
    }
    expect((await messageReactions(db(), s.msg['g2']!)).map((r) => [r.emoji, r.count])).toEqual([['👍', 2], ['🎉', 1]]);
  });

  it('contact_list = contactList (both stances, derived relationship, private block)', async () => {
    const want = (await sql('contact_list', [viewer()])).map((r) => ({
      userId: r['user_id'], username: r['username'], myStance: r['my_stance'], theirStance: r['their_stance'],
      relationship: r['relationship'], blocked: r['blocked'],
    }));
    expect(await contactList(db(), viewer())).toEqual(want);
    expect(want.map((r) => [r.username, r.myStance, r.theirStance, r.relationship])).toEqual([
      ['bob', 'requested', 'accepted', 'accepted'],
      ['carol', null, 'requested', 'blocked'],
    ]);
  });

  it('receipts per device: member_watermarks over them = the projection\'s member watermarks', async () => {
    const view = (await pg.query<Row>('SELECT conversation_id, user_id, delivered_up_to, read_up_to FROM member_watermarks ORDER BY conversation_id, user_id')).rows;
    checked.rows += view.length;
    const mine = (await db().receipts.toArray()).map((r) => ({ conversation_id: r.conversationId, user_id: r.userId, delivered_up_to: r.deliveredUpTo, read_up_to: r.readUpTo }));
    expect(mine).toEqual(view);
    const bobDevices = await db().deviceReceipts.where('[conversationId+userId]').equals([s.group, s.h.user('bob')]).count();
    expect(bobDevices).toBe(2);
  });

  it('call_history = callHistory (newest first, outcome, duration)', async () => {
    for (const conv of [s.direct, s.group]) {
      const want = (await sql('call_history', [conv])).map((r) => ({
        id: r['id'], caller: r['caller'], kind: r['kind'], state: r['state'], endReason: r['end_reason'],
        durationMs: num(r['duration_ms']), joined: r['joined'], screenShares: r['screen_shares'],
      }));
      expect(await callHistory(db(), conv)).toEqual(want);
      expect(want).toHaveLength(1);
    }
  });
});
