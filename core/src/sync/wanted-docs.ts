import { parseDocId, type UserId } from '../ids.js';
import type { EngineLink } from '../ports/engine-link.js';
import { feedConversationOf, feedDocId, MAX_CHUNK, parseDocRef, scopeRefOf } from '../model/doc-ids.js';
import type { KeyStore } from '../session/key-store.js';
import type { MembershipViews } from '../session/membership-views.js';

/**
 * The relay logs this device reads (SYNC-5). The engine names document-id prefixes
 * (`engine.subscriptions()`) and intros add more; the relay subscribes exact documents, so
 * prefixes are expanded: `feed:<conv>:` → chunk 0 of every member's (and former member's) feed,
 * later chunks as soon as the previous one has an entry (`chunks`); `contact:<me>:` → my
 * contact document with every user I know.
 */
export function wantedDocs(input: {
  readonly me: UserId;
  readonly inbox: string;
  readonly engine: EngineLink;
  readonly follows: Iterable<string>;
  readonly chunks: Iterable<string>;
  readonly memberships: MembershipViews;
  readonly keys: KeyStore;
  readonly known: Iterable<UserId>;
}): Set<string> {
  const { me, engine, memberships } = input;
  const out = new Set<string>([input.inbox]);
  const prefixes = new Set([...engine.subscriptions(), ...input.follows]);
  const peers = new Set<UserId>(input.known);
  for (const p of prefixes) {
    const ref = scopeRefOf(p);
    if (ref?.kind === 'contact' && ref.to === me) peers.add(ref.from);
    if (ref?.kind === 'profile' && ref.user !== me) peers.add(ref.user);
  }
  peers.delete(me);
  for (const p of prefixes) {
    if (!p.endsWith(':')) {
      out.add(p);
      continue;
    }
    const conv = feedConversationOf(p);
    const ref = scopeRefOf(p);
    if (conv !== undefined) {
      const view = memberships.view(conv);
      const authors = new Set<string>([me, ...engine.audience(parseDocId(`feed:${conv}:${me}:0`))]);
      if (view !== undefined) for (const u of [...view.members.keys(), ...view.former.keys()]) authors.add(u);
      for (const a of authors) out.add(`feed:${conv}:${a}:0`);
    } else if (ref?.kind === 'contact' && ref.from === me) {
      for (const peer of peers) out.add(`contact:${me}:${peer}`);
    }
  }
  for (const c of input.chunks) out.add(c);
  return out;
}

/**
 * The next chunk of a feed document, to subscribe once this one has entries. Chunk numbers are
 * hex in document ids (`feedDocId`): after chunk 9 comes `a`, not `10` (which is chunk 16).
 */
export function nextChunk(doc: string): string | undefined {
  const ref = parseDocRef(doc);
  if (ref?.kind !== 'feed' || ref.chunk >= MAX_CHUNK) return undefined;
  return feedDocId(ref.conversation, ref.author, ref.chunk + 1);
}
