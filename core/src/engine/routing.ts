import type { DocId, UserId } from '../ids.js';
import type { Core } from './core.js';
import { accountDocId, contactDocId, feedPrefix, membersDocId, parseDocRef, profileDocId } from '../model/doc-ids.js';
import { conversationMembers } from './feed-policy.js';
import { sharedDocsOf } from '../docs/shared-doc-store.js';

const uniqueSorted = (users: Iterable<UserId>): UserId[] => [...new Set(users)].sort();

/** Everyone I share a conversation or a contact document with. */
function acquaintances(core: Core): Set<UserId> {
  const out = new Set<UserId>();
  for (const peer of core.directs.values()) out.add(peer);
  for (const slot of core.groups.values()) {
    const s = slot.log.state();
    if (s.members.has(core.me)) for (const u of s.members.keys()) out.add(u);
  }
  for (const doc of core.docs.loaded()) {
    if (doc.ref.kind === 'contact') out.add(doc.ref.from === core.me ? doc.ref.to : doc.ref.from);
  }
  out.delete(core.me);
  return out;
}

/**
 * Who may read a document (ADR 0001 table): the sync layer routes a change to these users'
 * devices. For a membership log this includes former members, so a removed member learns it.
 */
export function audienceOf(core: Core, doc: DocId): UserId[] {
  const ref = parseDocRef(doc);
  if (ref === null) return [];
  switch (ref.kind) {
    case 'account':
      return [ref.user];
    case 'profile':
      return ref.user === core.me ? uniqueSorted([core.me, ...acquaintances(core)]) : [ref.user];
    case 'contact':
      return uniqueSorted([ref.from, ref.to]);
    case 'members': {
      const s = core.groups.get(ref.conversation)?.log.state();
      if (s === undefined) return [core.me];
      return uniqueSorted([core.me, ...s.members.keys(), ...s.former.keys()]);
    }
    case 'feed':
      return uniqueSorted([core.me, ref.author, ...conversationMembers(core, ref.conversation)]);
    case 'doc':
      return uniqueSorted([core.me, ...conversationMembers(core, ref.conversation)]);
  }
}

/**
 * Document-id prefixes this device follows: its own account, profile and contact documents,
 * the profiles of people it talks to, and the feeds and logs of its current conversations.
 */
export function subscriptionsOf(core: Core): string[] {
  const out = new Set<string>([accountDocId(core.me), profileDocId(core.me), `contact:${core.me}:`]);
  for (const user of acquaintances(core)) {
    out.add(profileDocId(user));
    out.add(contactDocId(user, core.me));
  }
  for (const conversation of core.directs.keys()) out.add(feedPrefix(conversation));
  for (const [conversation, slot] of core.groups) {
    out.add(membersDocId(conversation));
    if (slot.log.state().members.has(core.me)) out.add(feedPrefix(conversation));
  }
  // ADR 0025: the shared documents this device follows, while it may read their conversation.
  for (const doc of sharedDocsOf(core).ids()) {
    const ref = parseDocRef(doc);
    if (ref?.kind !== 'doc') continue;
    if (core.directs.has(ref.conversation) || core.groups.get(ref.conversation)?.log.state().members.has(core.me) === true) out.add(doc);
  }
  return [...out].sort();
}
