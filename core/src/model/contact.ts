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
export interface Contact {
  readonly user: UserId;
  readonly status: ContactStatus;
  readonly blocked: boolean;
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
