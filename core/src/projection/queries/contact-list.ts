import type { ContactStatus } from '../../model/contact.js';
import type { ProjectionDb } from '../projection-schema.js';
import { Dexie } from '../dexie.js';
import { usernamesOf } from './usernames.js';

export interface ContactListRow {
  userId: string;
  username: string;
  /** The engine's derived relationship (schema.sql contact_list `relationship`, with 'blocked'). */
  relationship: ContactStatus;
  blocked: boolean;
}

/**
 * schema.sql `contact_list`: the viewer's contacts by username, then id. Primary key range
 * contacts[ownerId+contactId] for the viewer. The projection keeps the engine's derived
 * relationship, not the two stances (the engine's public API does not expose them).
 */
export async function contactList(db: ProjectionDb, viewer: string): Promise<ContactListRow[]> {
  const rows = await db.contacts.where('[ownerId+contactId]').between([viewer, Dexie.minKey], [viewer, Dexie.maxKey]).toArray();
  const names = await usernamesOf(db, rows.map((r) => r.contactId));
  return rows
    .map((r) => ({ userId: r.contactId, username: names.get(r.contactId) ?? '', relationship: r.status, blocked: r.blocked }))
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : a.userId < b.userId ? -1 : 1));
}
