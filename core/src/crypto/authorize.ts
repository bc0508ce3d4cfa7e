import { fail, ok, type Result } from '../errors.js';
import type { ConversationId, DeviceId, DocId, UserId } from '../ids.js';
import type { EnvelopeKind } from '../protocol/envelope.js';
import { conversationOfDoc, docKindOf, parseDocRef, writerOfDoc } from '../model/doc-ids.js';

/** What the receiver knows about an envelope when it decides whether its author may make it. */
export interface ChangeClaim {
  readonly doc: DocId;
  readonly kind: EnvelopeKind;
  readonly author: UserId;
  readonly device: DeviceId;
  readonly counter: number;
  readonly epoch: number;
}

/** The engine's rule for an author's right to a change (ENV-6). Runs before decryption. */
export type Authorize = (claim: ChangeClaim) => Result<void>;

/**
 * The part of the membership log's state authorization needs (structurally a subset of
 * `MembershipState` from model/membership).
 */
export interface MembershipView {
  readonly created: boolean;
  readonly members: ReadonlyMap<UserId, { readonly role: 'admin' | 'member' }>;
  readonly former: ReadonlyMap<UserId, unknown>;
  /** For removed AND left members: `${docId}|${deviceId}` → the departure op's cutoff (contiguous watermark). */
  readonly cutoffs: ReadonlyMap<UserId, Record<string, number>>;
  readonly removals: number;
}

/**
 * The standard rule set (AUTH-1..4), given the membership state of each conversation:
 * - AUTH-1 `feed:<conv>:<author>:<n>`: only `<author>` writes it, while a member; a former
 *   member's change is accepted only up to its removal cutoff for that doc and device.
 * - AUTH-2 `members:<conv>`: current members (the log itself decides whether an op takes
 *   effect: admin rights, MEM-*); former members up to their cutoff; anyone while the log has
 *   no `create` yet (ops wait as pending and only take effect chained from a valid create).
 * - AUTH-3 `keys:<conv>`: current admins only.
 * - AUTH-4 `profile:<u>`, `account:<u>`, `contact:<u>:<v>`, `backup:<u>`: only `<u>`.
 * - DOC-4 `doc:<conv>:<key>:<mode>`: current members (current admins when the mode says admins
 *   only); a former member up to its departure cutoff for that doc and device.
 */
export function createMembershipAuthorizer(membership: (conversation: ConversationId) => MembershipView | undefined): Authorize {
  return (claim) => {
    const kind = docKindOf(claim.doc);
    const conv = conversationOfDoc(claim.doc);
    const state = (): MembershipView | undefined => (conv === undefined ? undefined : membership(conv));
    // The engine's feed policy applies the same rule (`withinCutoff` there): removed and left
    // members alike, at or below the departure op's cutoff for this doc and device (H2, M2).
    const withinCutoff = (state: MembershipView): boolean => {
      const cutoff = state.cutoffs.get(claim.author)?.[`${claim.doc}|${claim.device}`];
      return state.former.has(claim.author) && cutoff !== undefined && claim.counter <= cutoff;
    };
    switch (kind) {
      case 'feed': {
        if (writerOfDoc(claim.doc) !== claim.author) return fail('not_the_author', 'a feed is written only by its author');
        const view = state();
        if (view === undefined || !view.created) return fail('unknown_conversation', 'conversation not known');
        if (view.members.has(claim.author) || withinCutoff(view)) return ok(undefined);
        return fail('not_a_member', 'author is not a member of the conversation');
      }
      case 'doc': {
        const ref = parseDocRef(claim.doc);
        const view = state();
        if (ref?.kind !== 'doc') return fail('unauthorized', 'malformed shared document id');
        if (view === undefined || !view.created) return fail('unknown_conversation', 'conversation not known');
        const standing = view.members.get(claim.author);
        if (standing !== undefined) return ref.mode.writers === 'members' || standing.role === 'admin' ? ok(undefined) : fail('not_an_admin', 'only admins write this document');
        if (withinCutoff(view)) return ok(undefined);
        return fail('not_a_member', 'author is not a member of the conversation');
      }
      case 'members': {
        const view = state();
        if (view === undefined || !view.created) return ok(undefined);
        if (view.members.has(claim.author) || withinCutoff(view)) return ok(undefined);
        return fail('not_a_member', 'author is not a member of the conversation');
      }
      case 'keys': {
        if (state()?.members.get(claim.author)?.role === 'admin') return ok(undefined);
        return fail('not_an_admin', 'only an admin distributes epoch keys');
      }
      case 'profile':
      case 'account':
      case 'contact':
      case 'backup':
        return writerOfDoc(claim.doc) === claim.author ? ok(undefined) : fail('not_the_author', 'document belongs to another user');
      default:
        return fail('unauthorized', 'unknown document kind');
    }
  };
}
