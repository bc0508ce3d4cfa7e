import type { Json } from '../ports/crdt.js';
import type { UserId } from '../ids.js';
import { isRecord } from './text.js';

/**
 * Contacts are directional: `contact:<from>:<to>` holds `from`'s side (collection `req`, key
 * `state`). Blocks are private: they live in the blocker's `account:` document only (collection
 * `contacts`, key = user id). The relationship each side sees is derived from both.
 */
export type RequestState = 'requested' | 'accepted' | 'declined' | 'withdrawn';
export type ContactStatus = 'none' | 'outgoing' | 'incoming' | 'accepted' | 'declined' | 'blocked';

export interface StoredRequest {
  readonly state: RequestState;
  readonly at: number;
}
/** One direction of a contact relationship: what its writer said and when (their clock, ms). */
export type ContactStance = StoredRequest;
export interface Contact {
  readonly user: UserId;
  /** Derived from both stances and my block (`deriveContactStatus`). */
  readonly status: ContactStatus;
  readonly blocked: boolean;
  /** When I blocked them (my clock, ms); null when not blocked or for a block written without a time. */
  readonly blockedAt: number | null;
  /** My stance towards them (`contact:<me>:<them>`), null if I never wrote one. */
  readonly mine: ContactStance | null;
  /** Their stance towards me (`contact:<them>:<me>`), null if none arrived. */
  readonly theirs: ContactStance | null;
}

export const REQ = 'req';
export const REQ_KEY = 'state';
export const BLOCKS = 'contacts';
const STATES: readonly string[] = ['requested', 'accepted', 'declined', 'withdrawn'];

export function parseStoredRequest(value: unknown): StoredRequest | null {
  if (!isRecord(value) || typeof value.state !== 'string' || !STATES.includes(value.state)) return null;
  if (typeof value.at !== 'number' || !Number.isSafeInteger(value.at)) return null;
  return { state: value.state as RequestState, at: value.at };
}
export const requestToJson = (r: StoredRequest): Json => ({ state: r.state, at: r.at });

export function parseBlockEntry(value: unknown): boolean | null {
  if (!isRecord(value) || typeof value.blocked !== 'boolean') return null;
  return value.blocked;
}

/** The time a block entry was written (`at`, ms), or null when absent or malformed. */
export function blockEntryTime(value: unknown): number | null {
  return isRecord(value) && typeof value.at === 'number' && Number.isSafeInteger(value.at) ? value.at : null;
}

/** My view of the relationship from my side (`mine`) and theirs (`theirs`). */
export function deriveContactStatus(mine: RequestState | null, theirs: RequestState | null, blocked: boolean): ContactStatus {
  if (blocked) return 'blocked';
  const open = (s: RequestState | null): boolean => s === 'requested' || s === 'accepted';
  if (open(mine) && open(theirs) && (mine === 'accepted' || theirs === 'accepted' || (mine === 'requested' && theirs === 'requested'))) {
    return 'accepted';
  }
  if (mine === 'requested' || mine === 'accepted') return theirs === 'declined' ? 'declined' : 'outgoing';
  if (theirs === 'requested' || theirs === 'accepted') return mine === 'declined' ? 'declined' : 'incoming';
  return 'none';
}
