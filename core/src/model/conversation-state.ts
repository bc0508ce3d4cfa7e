import type { Json } from '../ports/crdt.js';
import type { ConversationId, UserId } from '../ids.js';
import { KithError } from '../errors.js';
import { isUuid } from '../ids.js';
import { isRecord } from './text.js';

/**
 * Per-user conversation state and the list of my conversations, in `account:<me>` (read by my
 * own devices only): collection `convState` (conversation → state) and `convs`
 * (conversation → `{ kind, peer, at? }`; `at`, when this account opened it, is optional: entries
 * written before it existed have none).
 */
export interface ConversationState {
  readonly pinned: boolean;
  readonly archived: boolean;
  /** Muted until this time (ms), or null. */
  readonly mutedUntil: number | null;
  /** Messages with ids ≤ this one are hidden for me, or null. */
  readonly clearedUpTo: string | null;
}
export type ConversationKind = 'direct' | 'group';
export interface ConversationEntry {
  readonly kind: ConversationKind;
  readonly peer: UserId | null;
  /** When this account opened it (ms), or null (an entry from before the field). */
  readonly at: number | null;
}
export interface Conversation {
  readonly id: ConversationId;
  readonly kind: ConversationKind;
  /** The other person of a direct conversation. */
  readonly peer: UserId | null;
  /** Group name (empty for direct conversations). */
  readonly name: string;
  /** Group: the `create` op's time. Direct: when this account opened it with `openDirect`;
   *  null when it only learned of it from the other person's messages (ms). */
  readonly createdAt: number | null;
  readonly state: ConversationState;
}

export const CONV_STATE = 'convState';
export const CONVS = 'convs';
export const DEFAULT_STATE: ConversationState = { pinned: false, archived: false, mutedUntil: null, clearedUpTo: null };

export function parseConversationState(value: unknown): ConversationState | null {
  if (!isRecord(value)) return null;
  const { pinned, archived, mutedUntil, clearedUpTo } = value;
  if (typeof pinned !== 'boolean' || typeof archived !== 'boolean') return null;
  if (mutedUntil !== null && (typeof mutedUntil !== 'number' || !Number.isSafeInteger(mutedUntil))) return null;
  if (clearedUpTo !== null && !isUuid(clearedUpTo)) return null;
  return { pinned, archived, mutedUntil, clearedUpTo };
}

export function expectStatePatch(current: ConversationState, patch: unknown): ConversationState {
  if (!isRecord(patch)) throw new KithError('invalid_argument', 'state patch must be an object');
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_STATE)) throw new KithError('invalid_argument', 'unknown conversation state field');
    next[k] = v;
  }
  const parsed = parseConversationState(next);
  if (parsed === null) throw new KithError('invalid_argument', 'malformed conversation state');
  return parsed;
}

export const conversationStateToJson = (s: ConversationState): Json => ({ ...s });

export function parseConversationEntry(value: unknown): ConversationEntry | null {
  if (!isRecord(value)) return null;
  // `at` is optional (older entries); a malformed one reads as absent rather than dropping the entry.
  const at = typeof value.at === 'number' && Number.isSafeInteger(value.at) && value.at >= 0 ? value.at : null;
  if (value.kind === 'group' && value.peer === null) return { kind: 'group', peer: null, at };
  if (value.kind === 'direct' && isUuid(value.peer)) return { kind: 'direct', peer: value.peer as UserId, at };
  return null;
}
export const conversationEntryToJson = (e: ConversationEntry): Json =>
  e.at === null ? { kind: e.kind, peer: e.peer } : { kind: e.kind, peer: e.peer, at: e.at };
