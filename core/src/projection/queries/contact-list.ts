import type { ContactStatus, RequestState } from '../../model/contact.js';
import type { ProjectionDb } from '../projection-schema.js';
import { Dexie } from '../dexie.js';
import { usernamesOf } from './usernames.js';

export interface ContactListRow {
  userId: string;
  username: string;
  /** The viewer's stance towards them (contact_requests from the viewer), null if none. */
  myStance: RequestState | null;
  /** Their stance towards the viewer, null if none arrived. */
  theirStance: RequestState | null;
  /** schema.sql contact_list `relationship` (the engine's deriveContactStatus), with 'blocked'. */
  relationship: ContactStatus;
  blocked: boolean;
}

/**
 * schema.sql `contact_list`: the viewer's contacts by username, then id, with both stances.
 * Reads the primary key range contacts[ownerId+contactId] for the viewer, then the two stances
 * of each by primary key contactRequests[fromId+toId] (one bulk read per direction).
 */
export async function contactList(db: ProjectionDb, viewer: string): Promise<ContactListRow[]> {
  const rows = await db.contacts.where('[ownerId+contactId]').between([viewer, Dexie.minKey], [viewer, Dexie.maxKey]).toArray();
  const ids = rows.map((r) => r.contactId);
  const [mine, theirs, names] = await Promise.all([
    db.contactRequests.bulkGet(ids.map((id): [string, string] => [viewer, id])),
    db.contactRequests.bulkGet(ids.map((id): [string, string] => [id, viewer])),
    usernamesOf(db, ids),
  ]);
  return rows
    .map((r, i) => ({
      userId: r.contactId,
      username: names.get(r.contactId) ?? '',
      myStance: mine[i]?.stance ?? null,
      theirStance: theirs[i]?.stance ?? null,
      relationship: r.status,
      blocked: r.blocked,
    }))
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : a.userId < b.userId ? -1 : 1));
}
