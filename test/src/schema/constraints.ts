import { describe, expect, it } from 'vitest';
import { at, insert } from './sample-data.js';
import { expectRejected } from './schema-db.js';
import type { Rejection, SchemaDb } from './schema-db.js';

/** A UUIDv8 that is not the pair's derived id (an app bug or a malicious peer would make one). */
const OTHER_V8 = '00000000-0000-8000-8000-000000000001';

/**
 * Identity, contacts, conversations and membership: each constraint rejects what it exists to
 * reject. Outside a transaction a rejected statement writes nothing.
 */
export function describeConstraints(get: () => SchemaDb, counted: () => void): void {
  const rejects = async (work: Promise<unknown>, want: Rejection): Promise<void> => {
    await expectRejected(work, want);
    counted();
  };

  describe('constraints: users hold public keys, not secrets', () => {
    it('ids are assigned by clients: no sequences, no server-generated ids', async () => {
      const { db } = get();
      const serial = await db.query(
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE table_schema = 'public' AND (column_default LIKE 'nextval%' OR column_default LIKE '%gen_random_uuid%')`,
      );
      expect(serial.rows).toEqual([]);
      const seqs = await db.query(`SELECT sequence_name FROM information_schema.sequences`);
      expect(seqs.rows).toEqual([]);
    });

    it('users has no email, password or presence column', async () => {
      const { db } = get();
      const cols = await db.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = 'users' ORDER BY ordinal_position`,
      );
      expect(cols.rows.map((r) => r.column_name)).toEqual([
        'id', 'signing_key', 'agreement_key', 'agreement_sig', 'username', 'display_name', 'about',
        'avatar_blob_id', 'avatar_key', 'created_at', 'updated_at',
      ]);
    });

    it('rejects a random (non-derived) user id, short keys, a bad or taken username', async () => {
      const { db, sample } = get();
      const row = (over: Record<string, unknown>) => ({
        id: '00000000-0000-8000-8000-0000000000aa', signing_key: sample.ids.bytes(32),
        agreement_key: sample.ids.bytes(32), agreement_sig: sample.ids.bytes(64), username: 'frank', ...over,
      });
      await rejects(insert(db, 'users', row({ id: '2f1c4a8e-6a53-4a5e-9c1e-3b1f0c2d4e5f' })), { code: '23514', constraint: 'users_id_derived' });
      await rejects(insert(db, 'users', row({ signing_key: sample.ids.bytes(31) })), { code: '23514', constraint: 'users_signing_key_len' });
      await rejects(insert(db, 'users', row({ username: 'frank smith' })), { code: '23514', constraint: 'users_username_format' });
      await rejects(insert(db, 'users', row({ username: 'Frank' })), { code: '23514', constraint: 'users_username_format' });
      await rejects(insert(db, 'users', row({ username: 'alice' })), { code: '23505', constraint: 'users_username_ci' });
      await rejects(insert(db, 'users', row({ avatar_blob_id: 'ab'.repeat(32) })), { code: '23514', constraint: 'users_avatar_pair' });
    });

    it('updated_at moves on every update (trigger), or takes the time the writer supplies', async () => {
      const { db, sample } = get();
      await get().scratch(async () => {
        const r = await db.query<{ updated_at: Date }>(
          `UPDATE users SET display_name = 'Alice L.' WHERE id = $1 RETURNING updated_at`, [sample.user.alice]);
        expect(r.rows[0]!.updated_at.getTime()).toBeGreaterThan(at(-1000).getTime());
        const g = await db.query<{ updated_at: Date }>(
          `UPDATE groups SET name = 'Lisbon!', updated_at = $2 WHERE conversation_id = $1 RETURNING updated_at`,
          [sample.group, at(60)]);
        expect(g.rows[0]!.updated_at).toEqual(at(60));
      });
    });
  });

  describe('constraints: contacts are directional, blocks private', () => {
    it('a stance is requested/accepted/declined/withdrawn — "blocked" is not a shared state', async () => {
      const { db, sample } = get();
      const { erin, carol, alice } = sample.user;
      await rejects(db.query(`UPDATE contact_requests SET stance = 'blocked' WHERE from_id = $1 AND to_id = $2`, [erin, carol]),
        { code: '22P02' });
      await rejects(insert(db, 'contact_requests', { from_id: alice, to_id: alice, stance: 'requested' }),
        { code: '23514', constraint: 'contact_requests_not_self' });
      await rejects(insert(db, 'contact_requests', { from_id: alice, to_id: carol, stance: 'requested' }),
        { code: '23505', constraint: 'contact_requests_pkey' });
      await rejects(insert(db, 'contacts', { owner_id: carol, contact_id: carol, blocked_at: at(1) }),
        { code: '23514', constraint: 'contacts_not_self' });
    });
  });

  describe('constraints: conversations', () => {
    it('one 1:1 conversation per pair, in either order', async () => {
      const { db, sample } = get();
      const { alice, bob } = sample.user;
      const direct = (id: string, a: string, b: string) =>
        insert(db, 'conversations', { id, kind: 'direct', direct_a: a, direct_b: b, created_at: at(1) });
      // Both sides starting the chat offline derive the same id: the second is the same row.
      await rejects(direct(sample.direct, alice, bob), { code: '23505', constraint: 'conversations_pkey' });
      await rejects(direct(OTHER_V8, alice, bob), { code: '23505', constraint: 'conversations_one_direct_per_pair' });
      await rejects(direct(OTHER_V8, bob, alice), { code: '23505', constraint: 'conversations_one_direct_per_pair' });
      await rejects(direct(OTHER_V8, bob, bob), { code: '23514', constraint: 'conversations_pair' });
      await rejects(insert(db, 'conversations', { id: OTHER_V8, kind: 'direct', direct_a: bob, created_at: at(1) }),
        { code: '23514', constraint: 'conversations_pair' });
    });

    it('kinds are checked: conversation ids are derived UUIDv8, a group has no pair, a direct chat has no group row', async () => {
      const { db, sample } = get();
      const v7 = sample.ids.v7(Date.UTC(2026, 2, 2));
      await rejects(insert(db, 'conversations', { id: v7, kind: 'group', created_at: at(1) }),
        { code: '23514', constraint: 'conversations_id_version' });
      await rejects(insert(db, 'conversations', { id: v7, kind: 'direct', direct_a: sample.user.carol, direct_b: sample.user.dave, created_at: at(1) }),
        { code: '23514', constraint: 'conversations_id_version' });
      await rejects(insert(db, 'conversations', { id: OTHER_V8, kind: 'group', direct_a: sample.user.carol, created_at: at(1) }),
        { code: '23514', constraint: 'conversations_pair' });
      await rejects(insert(db, 'conversations', { id: v7, kind: 'channel', created_at: at(1) }), { code: '22P02' });
      await rejects(insert(db, 'groups', { conversation_id: sample.direct, name: 'Not a group', creator_id: sample.user.alice }),
        { code: '23503', constraint: 'groups_conversation_id_kind_fkey' });
      await rejects(db.query(`UPDATE groups SET name = '   ' WHERE conversation_id = $1`, [sample.group]),
        { code: '23514', constraint: 'groups_name_len' });
    });
  });

  describe('constraints: one membership table for 1:1 and groups', () => {
    it('a direct conversation has exactly its pair as plain members', async () => {
      const { db, sample } = get();
      const { carol, alice } = sample.user;
      await rejects(insert(db, 'conversation_members', { conversation_id: sample.direct, user_id: carol, joined_at: at(1) }),
        { code: '23514', kith: 'not_a_member' });
      await rejects(db.query(`UPDATE conversation_members SET role = 'admin' WHERE conversation_id = $1 AND user_id = $2`,
        [sample.direct, alice]), { code: '23514', kith: 'not_a_member' });
    });

    it('one open membership period per member; periods are well-formed', async () => {
      const { db, sample } = get();
      const { bob, erin, alice } = sample.user;
      await rejects(insert(db, 'conversation_members', { conversation_id: sample.group, user_id: bob, joined_at: at(60), added_by: alice }),
        { code: '23505', constraint: 'members_one_current' });
      await rejects(insert(db, 'conversation_members', { conversation_id: sample.group, user_id: erin, joined_at: at(60), left_at: at(59) }),
        { code: '23514', constraint: 'members_left_after_join' });
      await rejects(insert(db, 'conversation_members', { conversation_id: sample.group, user_id: erin, joined_at: at(60), removed_by: alice }),
        { code: '23514', constraint: 'members_removed_needs_left' });
      await rejects(insert(db, 'conversation_members', { conversation_id: sample.group, user_id: erin, joined_at: at(60), role: 'owner' }),
        { code: '22P02' });
    });
  });
}
