import { describe, expect, it } from 'vitest';
import { at, insert, ms } from './sample-data.js';
import { expectRejected } from './schema-db.js';
import type { Rejection, SchemaDb } from './schema-db.js';

/**
 * Messages, reactions, receipts, attachments and calls: the rules the design review promises,
 * each rejected in SQL.
 */
export function describeInvariants(get: () => SchemaDb, counted: () => void): void {
  const rejects = async (work: Promise<unknown>, want: Rejection): Promise<void> => {
    await expectRejected(work, want);
    counted();
  };
  const message = (over: Record<string, unknown>, minutes = 60) => {
    const { sample } = get();
    return {
      id: sample.ids.v7(ms(minutes)), conversation_id: sample.group, sender_id: sample.user.alice,
      body: 'hello', created_at: at(minutes), ...over,
    };
  };

  describe('invariants: messages', () => {
    it('only members send: non-members, removed members between periods, outsiders of a 1:1', async () => {
      const { db, sample } = get();
      const { erin, dave, carol } = sample.user;
      await rejects(insert(db, 'messages', message({ sender_id: erin })), { code: '23514', kith: 'not_a_member' });
      await rejects(insert(db, 'messages', message({ sender_id: dave }, 35)), { code: '23514', kith: 'not_a_member' });
      await rejects(insert(db, 'messages', message({ sender_id: carol, conversation_id: sample.direct })),
        { code: '23514', kith: 'not_a_member' });
    });

    it('ids are UUIDv7 whose time is created_at; bodies are non-blank and at most 64 KiB', async () => {
      const { db, sample } = get();
      const v7 = sample.ids.v7(ms(60));
      const v4 = `${v7.slice(0, 14)}4${v7.slice(15)}`; // same time bits, wrong version
      await rejects(insert(db, 'messages', message({ id: v4 })),
        { code: '23514', constraint: 'messages_id_v7' });
      await rejects(insert(db, 'messages', message({ created_at: at(61) })), { code: '23514', constraint: 'messages_created_is_id_time' });
      await rejects(insert(db, 'messages', message({ body: ' \n\t ' })), { code: '23514', constraint: 'messages_body_not_blank' });
      await rejects(insert(db, 'messages', message({ body: 'é'.repeat(32_769) })), { code: '23514', constraint: 'messages_body_size' });
      await get().scratch(async () => {
        await insert(db, 'messages', message({ body: 'é'.repeat(32_768) }));
      });
    });

    it('a reply quotes a message of the same conversation', async () => {
      const { db, sample } = get();
      await rejects(insert(db, 'messages', message({ reply_to_id: sample.msg['d1'] })),
        { code: '23503', constraint: 'messages_conversation_id_reply_to_id_fkey' });
    });

    it('edits change only the text and move edited_at forward; a tombstone is final', async () => {
      const { db, sample } = get();
      const { msg, user } = sample;
      const upd = (set: string, id: string, ...params: unknown[]) =>
        db.query(`UPDATE messages SET ${set} WHERE id = $1`, [id, ...params]);
      await rejects(upd('body = $2', msg['d1']!, 'Hi Bob!'), { code: '23514', kith: 'invalid_argument' });
      await rejects(upd('body = $2, edited_at = $3', msg['d2']!, 'Hey', at(2.4)), { code: '23514', kith: 'invalid_argument' });
      await rejects(upd('sender_id = $2', msg['d1']!, user.bob), { code: '23514', kith: 'invalid_argument' });
      await rejects(upd('forwarded = true', msg['d1']!), { code: '23514', kith: 'invalid_argument' });
      await rejects(upd('body = $2, edited_at = $3', msg['d7']!, 'back', at(8)), { code: '23514', kith: 'message_deleted' });
      await rejects(upd('deleted_at = NULL', msg['d7']!), { code: '23514', kith: 'message_deleted' });
      await rejects(upd('deleted_at = $2', msg['d1']!, at(20)), { code: '23514', constraint: 'messages_tombstone_empty' });
    });

    it('delete for everyone clears the text, the attachments (and their keys) and the reactions', async () => {
      const { db, sample } = get();
      await get().scratch(async () => {
        await db.query('UPDATE messages SET body = NULL, deleted_at = $2 WHERE id = $1', [sample.msg['g4'], at(70)]);
        const left = await db.query(
          `SELECT (SELECT count(*) FROM message_reactions WHERE message_id = $1)::int AS reactions,
                  (SELECT count(*) FROM message_attachments WHERE message_id = $2)::int AS attachments`,
          [sample.msg['g4'], sample.msg['d7']]);
        expect(left.rows).toEqual([{ reactions: 0, attachments: 0 }]);
      });
    });
  });

  describe('invariants: reactions', () => {
    it('one reaction per member per message; none on tombstones; only members; a real emoji', async () => {
      const { db, sample } = get();
      const { msg, user } = sample;
      const react = (m: string, u: string, emoji: string, t = 60) =>
        insert(db, 'message_reactions', { message_id: msg[m], user_id: u, emoji, reacted_at: at(t) });
      await rejects(react('g4', user.carol, '😂'), { code: '23505', constraint: 'message_reactions_pkey' });
      await rejects(react('d7', user.bob, '👍'), { code: '23514', kith: 'message_deleted' });
      await rejects(react('g1', user.erin, '👍'), { code: '23514', kith: 'not_a_member' });
      await rejects(react('g1', user.dave, '👍', 35), { code: '23514', kith: 'not_a_member' });
      await rejects(react('g1', user.bob, ''), { code: '23514', constraint: 'reactions_emoji' });
    });
  });

  describe('invariants: receipts', () => {
    it('a watermark never moves backwards, and read never passes delivered', async () => {
      const { db, sample } = get();
      const { msg, user, device, direct } = sample;
      const upd = (set: string, ...params: unknown[]) =>
        db.query(`UPDATE receipt_watermarks SET ${set} WHERE conversation_id = $1 AND user_id = $2 AND device_id = $3`,
          [direct, user.bob, device['b1'], ...params]);
      await rejects(upd('read_up_to = $4', msg['d1']), { code: '23514', kith: 'receipt_backwards' });
      await rejects(upd('read_up_to = NULL'), { code: '23514', kith: 'receipt_backwards' });
      await rejects(upd('delivered_up_to = $4', msg['d8']), { code: '23514', kith: 'receipt_backwards' });
      await rejects(insert(db, 'receipt_watermarks', {
        conversation_id: direct, user_id: user.alice, device_id: device['b2'], delivered_up_to: msg['d2'], read_up_to: msg['d5'],
      }), { code: '23514', constraint: 'receipts_read_implies_delivered' });
      const after = await db.query(`SELECT read_up_to, delivered_up_to FROM receipt_watermarks WHERE device_id = $1 AND conversation_id = $2`,
        [device['b1'], direct]);
      expect(after.rows).toEqual([{ read_up_to: msg['d6'], delivered_up_to: msg['d9'] }]);
    });
  });

  describe('invariants: attachments', () => {
    it('need a blob address, a 32-byte key, a content hash, a size, a safe name and paired dimensions', async () => {
      const { db, sample } = get();
      const file = (over: Record<string, unknown>) => ({
        id: sample.ids.v7(ms(5), 7), message_id: sample.msg['d6'], position: 1, blob_id: 'ef'.repeat(32),
        content_key: sample.ids.bytes(32), content_hash: sample.ids.bytes(32), mime_type: 'image/png', size_bytes: 1000,
        created_at: at(5), ...over,
      });
      await rejects(insert(db, 'message_attachments', file({ width: 640 })), { code: '23514', constraint: 'attachments_dimensions' });
      await rejects(insert(db, 'message_attachments', file({ blob_id: 'https://cdn.example/x.png' })), { code: '23514', constraint: 'attachments_blob_id' });
      await rejects(insert(db, 'message_attachments', file({ content_key: sample.ids.bytes(16) })), { code: '23514', constraint: 'attachments_key_len' });
      await rejects(insert(db, 'message_attachments', file({ content_hash: sample.ids.bytes(20) })), { code: '23514', constraint: 'attachments_hash_len' });
      await rejects(insert(db, 'message_attachments', file({ hash_alg: 'md5' })), { code: '22P02' });
      await rejects(insert(db, 'message_attachments', file({ size_bytes: 0 })), { code: '23514', constraint: 'attachments_size' });
      await rejects(insert(db, 'message_attachments', file({ file_name: '../etc/passwd' })), { code: '23514', constraint: 'attachments_name' });
      await rejects(insert(db, 'message_attachments', file({ mime_type: 'Image PNG' })), { code: '23514', constraint: 'attachments_mime' });
      await rejects(insert(db, 'message_attachments', file({ duration_ms: -1 })), { code: '23514', constraint: 'attachments_duration' });
      await rejects(insert(db, 'message_attachments', file({ thumbnail: new Uint8Array(16_385) })), { code: '23514', constraint: 'attachments_thumbnail' });
      await rejects(insert(db, 'message_attachments', file({ position: 32 })), { code: '23514', constraint: 'attachments_position' });
      await rejects(insert(db, 'message_attachments', file({ position: 0 })), { code: '23505', constraint: 'message_attachments_message_id_position_key' });
      // The seed's VARCHAR(50) would have refused real MIME types like this one (71 characters).
      await get().scratch(async () => {
        await insert(db, 'message_attachments', file({
          mime_type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', file_name: 'Itinerary.docx',
        }));
      });
    });
  });

  describe('invariants: calls', () => {
    it('a call has a member caller, a kind, a consistent state, end time and end reason', async () => {
      const { db, sample } = get();
      const call = (over: Record<string, unknown>) => ({
        id: sample.ids.v7(ms(200)), conversation_id: sample.direct, caller_id: sample.user.alice, kind: 'voice',
        state: 'completed', started_at: at(200), answered_at: at(200.1), ended_at: at(201), end_reason: 'hangup', ...over,
      });
      await rejects(insert(db, 'calls', call({ ended_at: null })), { code: '23514', constraint: 'calls_ended' });
      await rejects(insert(db, 'calls', call({ state: 'missed', answered_at: null, end_reason: 'hangup' })),
        { code: '23514', constraint: 'calls_reason_fits' });
      await rejects(insert(db, 'calls', call({ state: 'ongoing', ended_at: null, end_reason: null, answered_at: null })),
        { code: '23514', constraint: 'calls_answered' });
      await rejects(insert(db, 'calls', call({ ended_at: at(199) })), { code: '23514', constraint: 'calls_times' });
      await rejects(insert(db, 'calls', call({ kind: 'screen' })), { code: '22P02' });
      await rejects(insert(db, 'calls', call({ caller_id: sample.user.erin })), { code: '23514', kith: 'not_a_member' });
    });

    it('participants are members in a consistent state; one screen share at a time, by a participant', async () => {
      const { db, sample } = get();
      const { call, user, ids } = sample;
      await rejects(insert(db, 'call_participants', { call_id: call['c1'], user_id: user.erin, state: 'ringing' }),
        { code: '23514', kith: 'not_a_member' });
      await rejects(db.query(`UPDATE call_participants SET state = 'joined' WHERE call_id = $1 AND user_id = $2`, [call['c3'], user.dave]),
        { code: '23514', constraint: 'call_participants_joined' });
      const share = (c: string, sharer: string, ended: Date | null = null) =>
        ({ id: ids.v7(ms(132)), call_id: call[c], sharer_id: sharer, started_at: at(103), ended_at: ended });
      await rejects(insert(db, 'screen_shares', share('c3', user.carol)), { code: '23505', constraint: 'screen_shares_one_running' });
      await rejects(insert(db, 'screen_shares', share('c1', user.erin, at(104))),
        { code: '23503', constraint: 'screen_shares_call_id_sharer_id_fkey' });
      await rejects(insert(db, 'screen_shares', share('c1', user.bob, at(102))), { code: '23514', constraint: 'screen_shares_times' });
    });
  });
}
