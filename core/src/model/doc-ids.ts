import type { ConversationId, DocId, UserId } from '../ids.js';
import type { CrdtBackendName } from '../ports/crdt.js';
import { deriveUuid, isUuid } from '../ids.js';

/**
 * The documents of ADR 0001 and their ids. `parseDocRef` is the one place that turns a
 * (possibly hostile) document id into a typed reference; everything else builds ids here.
 */
export type DocRef =
  | { readonly kind: 'profile'; readonly user: UserId }
  | { readonly kind: 'account'; readonly user: UserId }
  | { readonly kind: 'contact'; readonly from: UserId; readonly to: UserId }
  | { readonly kind: 'members'; readonly conversation: ConversationId }
  | { readonly kind: 'feed'; readonly conversation: ConversationId; readonly author: UserId; readonly chunk: number }
  | { readonly kind: 'doc'; readonly conversation: ConversationId; readonly key: string; readonly mode: SharedDocRefMode };

/** What a shared document is (DOC-3): who writes it and which CRDT library it is for. */
export interface SharedDocMode {
  readonly writers: 'members' | 'admins';
  readonly backend: CrdtBackendName;
}

/**
 * DOC-3: the mode digit of a shared document id as read back. Bit 0: only admins write (clear:
 * every member); bit 1 clear: a Yjs document (set: Automerge). A boolean, so that a Yjs app's
 * bundle holds nothing of the other backend (PKG-1).
 */
export interface SharedDocRefMode {
  readonly writers: 'members' | 'admins';
  readonly yjs: boolean;
}

const modeDigit = (mode: SharedDocMode): string => String((mode.writers === 'admins' ? 1 : 0) + (mode.backend === 'yjs' ? 0 : 2));
const parseModeDigit = (digit: string | undefined): SharedDocRefMode | null => {
  if (digit === undefined || !/^[0-3]$/.test(digit)) return null;
  const n = Number(digit);
  return { writers: (n & 1) === 1 ? 'admins' : 'members', yjs: (n & 2) === 0 };
};
/** Longest shared-document name, in UTF-8 bytes (DOC-3). */
export const MAX_SHARED_DOC_NAME = 128;

/** Feed chunk numbers are bounded so a hostile id cannot make us allocate absurd ranges. */
export const MAX_CHUNK = 1_000_000;

export const profileDocId = (user: UserId): DocId => `profile:${user}` as DocId;
export const accountDocId = (user: UserId): DocId => `account:${user}` as DocId;
export const contactDocId = (from: UserId, to: UserId): DocId => `contact:${from}:${to}` as DocId;
export const membersDocId = (conversation: ConversationId): DocId => `members:${conversation}` as DocId;
export const feedDocId = (conversation: ConversationId, author: UserId, chunk: number): DocId =>
  `feed:${conversation}:${author}:${chunk.toString(16)}` as DocId;
/**
 * DOC-3: the id of a conversation's shared document `name` (UTF-8, 1–128 bytes) in `mode`. Every
 * device derives the same id offline; the relay sees the id, never the name.
 */
export function sharedDocId(conversation: ConversationId, name: string, mode: SharedDocMode): DocId {
  const digit = modeDigit(mode);
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.length < 1 || nameBytes.length > MAX_SHARED_DOC_NAME) throw new RangeError('shared document name must be 1-128 UTF-8 bytes');
  const input = new TextEncoder().encode(`${conversation}\0${digit}\0${name}`);
  return `doc:${conversation}:${deriveUuid('kith/doc/v1', input)}:${digit}` as DocId;
}
/** The prefix shared by every feed chunk of a conversation (all authors). */
export const feedPrefix = (conversation: ConversationId): string => `feed:${conversation}:`;

/** Parses a document id into its reference, or `null` when it is not one of ours. */
export function parseDocRef(doc: string): DocRef | null {
  const parts = doc.split(':');
  const [kind, a, b, c] = parts;
  if (a === undefined || !isUuid(a)) return null;
  switch (kind) {
    case 'profile':
    case 'account':
      return parts.length === 2 ? { kind, user: a as UserId } : null;
    case 'contact':
      return parts.length === 3 && isUuid(b) && a !== b ? { kind, from: a as UserId, to: b as UserId } : null;
    case 'members':
      return parts.length === 2 ? { kind, conversation: a as ConversationId } : null;
    case 'feed': {
      if (parts.length !== 4 || !isUuid(b) || c === undefined || !/^[0-9a-f]{1,5}$/.test(c)) return null;
      const chunk = parseInt(c, 16);
      if (chunk > MAX_CHUNK || c !== chunk.toString(16)) return null;
      return { kind, conversation: a as ConversationId, author: b as UserId, chunk };
    }
    case 'doc': {
      const mode = parseModeDigit(c);
      return parts.length === 4 && isUuid(b) && mode !== null ? { kind, conversation: a as ConversationId, key: b, mode } : null;
    }
    default:
      return null;
  }
}

/*
 * Reading ids by shape. The helpers below only split an id along its grammar (they do not
 * validate the UUIDs: `parseDocRef` and the parsers at the boundary do that); they are here so
 * that no other module splits ids by hand.
 */

/** The kind of a document id, prefix or scope: `feed`, `members`, `keys`, `conv`, `contact`, … */
export const docKindOf = (id: string): string => id.split(':')[0] ?? '';

/** The conversation of a `feed:`, `doc:`, `members:` or `keys:` document (or a `feed:<conv>:` prefix). */
export function conversationOfDoc(doc: string): ConversationId | undefined {
  const [kind, conv] = doc.split(':');
  return (kind === 'feed' || kind === 'doc' || kind === 'members' || kind === 'keys') && conv !== undefined ? (conv as ConversationId) : undefined;
}

/** The conversation whose content a document carries: a feed chunk's or a shared document's (ADR 0025). */
export const contentConversationOf = (doc: string): ConversationId | undefined => {
  const kind = docKindOf(doc);
  return kind === 'feed' || kind === 'doc' ? conversationOfDoc(doc) : undefined;
};

/** The conversation of a feed document (or `feed:<conv>:` prefix); undefined for any other kind. */
export const feedConversationOf = (doc: string): ConversationId | undefined => (docKindOf(doc) === 'feed' ? conversationOfDoc(doc) : undefined);

/** Who alone may write a document by its id (ADR 0001): a feed's author; the owner of a profile, account, contact side or backup. */
export function writerOfDoc(doc: string): UserId | undefined {
  const [kind, first, second] = doc.split(':');
  if (kind === 'feed') return second as UserId | undefined;
  return kind === 'profile' || kind === 'account' || kind === 'contact' || kind === 'backup' ? (first as UserId | undefined) : undefined;
}

/** A relay capability scope (SYNC-6): `conv:<c>`, `profile:<u>`, `account:<u>`, `contact:<from>:<to>`. */
export type ScopeRef =
  | { readonly kind: 'conv'; readonly conversation: ConversationId }
  | { readonly kind: 'profile' | 'account'; readonly user: UserId }
  | { readonly kind: 'contact'; readonly from: UserId; readonly to: UserId | undefined };

/** Reads a scope (or a `contact:<u>:` prefix) by shape; undefined for another kind or an empty first id. */
export function scopeRefOf(scope: string): ScopeRef | undefined {
  const [kind, a, b] = scope.split(':');
  if (a === undefined || a === '') return undefined;
  switch (kind) {
    case 'conv':
      return { kind, conversation: a as ConversationId };
    case 'profile':
    case 'account':
      return { kind, user: a as UserId };
    case 'contact':
      return { kind, from: a as UserId, to: b as UserId | undefined };
    default:
      return undefined;
  }
}
