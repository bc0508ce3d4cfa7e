import type { CallsRow } from '../projection-rows.js';
import type { ProjectionDb } from '../projection-schema.js';
import { Dexie } from '../dexie.js';
import { usernamesOf } from './usernames.js';

export interface CallHistoryRow {
  id: string;
  caller: string;
  kind: CallsRow['kind'];
  state: CallsRow['state'];
  endReason: string | null;
  /** Answered to ended; null while unanswered or running. */
  durationMs: number | null;
  joined: number;
  screenShares: number;
}

/**
 * schema.sql `call_history`: a conversation's calls, newest first. Index
 * calls[conversationId+startedAt+id] read backwards; participants and shares by their callId
 * indexes.
 */
export async function callHistory(db: ProjectionDb, conversationId: string): Promise<CallHistoryRow[]> {
  const calls = await db.calls
    .where('[conversationId+startedAt+id]')
    .between([conversationId, Dexie.minKey, Dexie.minKey], [conversationId, Dexie.maxKey, Dexie.maxKey])
    .reverse()
    .toArray();
  const names = await usernamesOf(db, calls.map((c) => c.callerId));
  const out: CallHistoryRow[] = [];
  for (const c of calls) {
    const parts = await db.callParticipants.where('callId').equals(c.id).toArray();
    const shares = await db.screenShares.where('callId').equals(c.id).count();
    out.push({
      id: c.id,
      caller: names.get(c.callerId) ?? '',
      kind: c.kind,
      state: c.state,
      endReason: c.endReason,
      durationMs: c.endedAt === null || c.answeredAt === null ? null : c.endedAt - c.answeredAt,
      joined: parts.filter((p) => p.joinedAt !== null).length,
      screenShares: shares,
    });
  }
  return out;
}
