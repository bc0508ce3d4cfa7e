import type { ProjectionDb } from '../projection-schema.js';

/** Usernames of these users by primary key (one batched read); '' for a profile not received yet. */
export async function usernamesOf(db: ProjectionDb, ids: Iterable<string>): Promise<Map<string, string>> {
  const keys = [...new Set(ids)];
  const rows = await db.users.bulkGet(keys);
  const out = new Map<string, string>();
  keys.forEach((id, i) => out.set(id, rows[i]?.username ?? ''));
  return out;
}
