import type { Result } from '../errors.js';
import type { DocId } from '../ids.js';
import type { DocRef } from '../model/doc-ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from './core.js';
import { fail, ok } from '../errors.js';

/**
 * Who may write a document, judged from its id and the proven author BEFORE the payload is
 * decoded (the inbound path, inbound.ts). Feed policy (cutoffs, AUTH-1) is judged later, per change.
 */
export function authoriseChange(core: Core, ref: DocRef, change: DocChange): Result<void> {
  const { author, kind } = change;
  if ((ref.kind === 'members') !== (kind === 'member')) return fail('malformed', 'change kind does not match the document');
  switch (ref.kind) {
    case 'profile':
      return author === ref.user ? ok(undefined) : fail('unauthorized', 'only its owner writes a profile');
    case 'account':
      return author === ref.user && ref.user === core.me ? ok(undefined) : fail('unauthorized', 'an account document is private');
    case 'contact':
      if (author !== ref.from) return fail('unauthorized', 'only its sender writes a contact request');
      return ref.to === core.me || ref.from === core.me ? ok(undefined) : fail('unauthorized', 'not my contact document');
    case 'members':
      return ok(undefined); // the log decides each op's effect (MEM-2)
    case 'doc': {
      // DOC-4: the store judges every change from membership; a direct chat is only its pair.
      const peer = core.directs.get(ref.conversation);
      if (peer !== undefined && author !== core.me && author !== peer) return fail('not_a_member', 'not part of this direct conversation');
      return ok(undefined);
    }
    case 'feed': {
      if (author !== ref.author) return fail('unauthorized', 'only its author writes a feed');
      // A blocked author's changes are accepted but hidden (hidden-changes.ts), not refused here.
      const peer = core.directs.get(ref.conversation);
      if (peer !== undefined && author !== core.me && author !== peer) return fail('not_a_member', 'not part of this direct conversation');
      return ok(undefined);
    }
  }
}

function blockedBy(core: Core, user: string): boolean {
  const doc = core.docs.get(`account:${core.me}` as DocId);
  const v = doc?.crdt.get('contacts', user);
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.blocked === true;
}

/**
 * Whether a feed change is hidden on this device: its author (not me) was blocked when it
 * arrived live. Replays from storage are not re-judged: their masks were persisted then.
 */
export function hideOnArrival(core: Core, change: DocChange): boolean {
  return change.author !== core.me && !core.restoring && blockedBy(core, change.author);
}
