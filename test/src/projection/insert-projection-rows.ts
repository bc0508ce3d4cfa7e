import type { PGlite } from '@electric-sql/pglite';
import type { ProjectionDb } from '@kith/core';
import { decodeHex } from '@kith/core/protocol';

const ms = (t: number | null): Date | null => (t === null ? null : new Date(t));
const hex = (h: string): Uint8Array => decodeHex(h) ?? raise(`not lowercase hex: ${h}`);
const raise = (message: string): never => {
  throw new Error(message);
};
/** Deterministic stand-in bytes for what the projection does not hold (public keys, blob keys). */
const filler = (seed: string, length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed.charCodeAt(i % seed.length) + i * 31) & 0xff;
  return out;
};

/**
 * Inserts the projection's rows into PostgreSQL loaded with docs/schema.sql, in an order the
 * foreign keys and triggers accept — so the rows are also checked against every constraint.
 * Columns the projection does not hold (users' public keys, attachment keys) get deterministic
 * filler; no named query reads them. The projection's `receipts` (member watermarks) are not
 * inserted: schema.sql derives them (view member_watermarks) from the per-device rows.
 */
export async function insertProjectionRows(pg: PGlite, db: ProjectionDb): Promise<number> {
  let n = 0;
  const q = async (sql: string, params: unknown[]): Promise<void> => {
    await pg.query(sql, params);
    n++;
  };
  for (const u of await db.users.toArray()) {
    await q(
      'INSERT INTO users (id, signing_key, agreement_key, agreement_sig, username, display_name, about) VALUES ($1,$2,$3,$4,$5,$6,$7)',
      [u.id, filler(`s${u.id}`, 32), filler(`a${u.id}`, 32), filler(`g${u.id}`, 64), u.username, u.displayName, u.about],
    );
  }
  const conversations = await db.conversations.toArray();
  const participants = await db.participants.toArray();
  for (const c of conversations) {
    const pair = participants.filter((p) => p.conversationId === c.id).map((p) => p.userId);
    await q('INSERT INTO conversations (id, kind, direct_a, direct_b, created_at) VALUES ($1,$2,$3,$4,$5)', [
      c.id, c.kind, c.kind === 'direct' ? pair[0] : null, c.kind === 'direct' ? pair[1] : null, ms(c.createdAt),
    ]);
    if (c.kind === 'group') {
      await q('INSERT INTO groups (conversation_id, name, description, creator_id) VALUES ($1,$2,$3,$4)', [c.id, c.name, c.description, c.creatorId]);
    }
  }
  for (const p of participants) {
    await q('INSERT INTO conversation_members (conversation_id, user_id, joined_at, role, added_by, left_at) VALUES ($1,$2,$3,$4,$5,$6)', [
      p.conversationId, p.userId, ms(p.joinedAt), p.role, p.addedBy, ms(p.leftAt),
    ]);
  }
  for (const s of await db.conversationStates.toArray()) {
    await q('INSERT INTO conversation_user_state (user_id, conversation_id, pinned, archived, muted_until, cleared_up_to) VALUES ($1,$2,$3,$4,$5,$6)', [
      s.userId, s.conversationId, s.pinned, s.archived, ms(s.mutedUntil), s.clearedUpTo,
    ]);
  }
  // Primary-key order is id order = time order, so a reply's target is inserted before it.
  for (const m of await db.messages.toArray()) {
    await q('INSERT INTO messages (id, conversation_id, sender_id, body, reply_to_id, forwarded, created_at, edited_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)', [
      m.id, m.conversationId, m.senderId, m.deletedAt === null ? m.body : 'x', m.replyToId, m.forwarded, ms(m.createdAt), ms(m.editedAt),
    ]);
    // A tombstone is an UPDATE in schema.sql (its trigger clears attachments and reactions).
    if (m.deletedAt !== null) await q('UPDATE messages SET body = NULL, deleted_at = $2 WHERE id = $1', [m.id, ms(m.deletedAt)]);
  }
  for (const a of await db.attachments.toArray()) {
    await q(
      'INSERT INTO message_attachments (id, message_id, position, blob_id, content_key, hash_alg, content_hash, mime_type, size_bytes, file_name, width, height, duration_ms, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)',
      [a.id, a.messageId, a.position, a.blobId, filler(`k${a.id}`, 32), a.hashAlg, hex(a.contentHash), a.mimeType, a.sizeBytes, a.fileName, a.width, a.height, a.durationMs, ms(a.createdAt)],
    );
  }
  for (const r of await db.reactions.toArray()) {
    await q('INSERT INTO message_reactions (message_id, user_id, emoji, reacted_at) VALUES ($1,$2,$3,$4)', [r.messageId, r.userId, r.emoji, ms(r.reactedAt)]);
  }
  for (const w of await db.deviceReceipts.toArray()) {
    await q('INSERT INTO receipt_watermarks (conversation_id, user_id, device_id, delivered_up_to, read_up_to) VALUES ($1,$2,$3,$4,$5)', [
      w.conversationId, w.userId, w.deviceId, w.deliveredUpTo, w.readUpTo,
    ]);
  }
  for (const r of await db.contactRequests.toArray()) {
    await q('INSERT INTO contact_requests (from_id, to_id, stance, updated_at) VALUES ($1,$2,$3,$4)', [r.fromId, r.toId, r.stance, ms(r.updatedAt)]);
  }
  for (const c of await db.contacts.toArray()) {
    await q('INSERT INTO contacts (owner_id, contact_id, blocked_at) VALUES ($1,$2,$3)', [c.ownerId, c.contactId, ms(c.blockedAt)]);
  }
  for (const c of await db.calls.toArray()) {
    await q('INSERT INTO calls (id, conversation_id, caller_id, kind, state, started_at, answered_at, ended_at, end_reason) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)', [
      c.id, c.conversationId, c.callerId, c.kind, c.state, ms(c.startedAt), ms(c.answeredAt), ms(c.endedAt), c.endReason,
    ]);
  }
  for (const p of await db.callParticipants.toArray()) {
    await q('INSERT INTO call_participants (call_id, user_id, state, joined_at, left_at) VALUES ($1,$2,$3,$4,$5)', [p.callId, p.userId, p.state, ms(p.joinedAt), ms(p.leftAt)]);
  }
  for (const s of await db.screenShares.toArray()) {
    await q('INSERT INTO screen_shares (id, call_id, sharer_id, started_at, ended_at) VALUES ($1,$2,$3,$4,$5)', [s.id, s.callId, s.sharerId, ms(s.startedAt), ms(s.endedAt)]);
  }
  return n;
}
