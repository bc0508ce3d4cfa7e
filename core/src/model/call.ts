import type { Json } from '../ports/crdt.js';
import type { CallId, ConversationId, UserId } from '../ids.js';
import { isUuid } from '../ids.js';
import { isBoundedString, isRecord } from './text.js';

/**
 * Calls. The caller's feed holds the call record (collection `call`, key = call id); every
 * participant records their own side in their feed (collection `callp`, key = call id), and
 * screen shares are log entries (collection `share`, key = share id). The status shown to the
 * user is derived from all of them, so no one writes anyone else's state.
 */
export type CallKind = 'voice' | 'video';
export type CallStatus = 'initiated' | 'ringing' | 'ongoing' | 'completed' | 'missed' | 'declined';
export type ParticipantState = 'ringing' | 'joined' | 'declined' | 'left';

export interface StoredCall {
  readonly kind: CallKind;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly endReason: string | null;
  /**
   * How many members the caller invited (the other members when it started). Absent in records
   * written before it existed: the current member count stands in for it.
   */
  readonly invitees?: number;
}
export interface StoredParticipant {
  readonly state: ParticipantState;
  readonly at: number;
  readonly joinedAt: number | null;
}
export interface StoredShare {
  readonly call: CallId;
  readonly startedAt: number;
  readonly endedAt: number | null;
}

export interface CallParticipant {
  readonly user: UserId;
  readonly state: ParticipantState;
  readonly joinedAt: number | null;
  readonly at: number;
}
export interface ScreenShare {
  readonly id: string;
  readonly user: UserId;
  readonly startedAt: number;
  readonly endedAt: number | null;
}
export interface Call {
  readonly id: CallId;
  readonly conversation: ConversationId;
  readonly caller: UserId;
  readonly kind: CallKind;
  readonly status: CallStatus;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly endReason: string | null;
  /** Members invited when the call started (older records: the other members now). */
  readonly invitees: number;
  readonly participants: readonly CallParticipant[];
  readonly screenShares: readonly ScreenShare[];
}

/** Largest `invitees` a call record may state (far above any group's member limit). */
export const MAX_INVITEES = 100_000;

export const CALL = 'call';
export const CALLP = 'callp';
export const SHARE = 'share';
const PARTICIPANT_STATES: readonly string[] = ['ringing', 'joined', 'declined', 'left'];
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function parseStoredCall(key: string, v: unknown): StoredCall | null {
  if (!isUuid(key) || !isRecord(v) || (v.kind !== 'voice' && v.kind !== 'video') || !isTime(v.startedAt)) return null;
  if (v.endedAt !== null && !isTime(v.endedAt)) return null;
  if (v.endReason !== null && !isBoundedString(v.endReason, 64)) return null;
  if (v.invitees !== undefined && !(Number.isSafeInteger(v.invitees) && (v.invitees as number) >= 0 && (v.invitees as number) <= MAX_INVITEES)) return null;
  const base = { kind: v.kind, startedAt: v.startedAt, endedAt: v.endedAt, endReason: v.endReason } as const;
  return v.invitees === undefined ? base : { ...base, invitees: v.invitees as number };
}
export function parseStoredParticipant(key: string, v: unknown): StoredParticipant | null {
  if (!isUuid(key) || !isRecord(v) || typeof v.state !== 'string' || !PARTICIPANT_STATES.includes(v.state)) return null;
  if (!isTime(v.at) || (v.joinedAt !== null && !isTime(v.joinedAt))) return null;
  return { state: v.state as ParticipantState, at: v.at, joinedAt: v.joinedAt };
}
export function parseStoredShare(key: string, v: unknown): StoredShare | null {
  if (!isUuid(key) || !isRecord(v) || !isUuid(v.call) || !isTime(v.startedAt)) return null;
  if (v.endedAt !== null && !isTime(v.endedAt)) return null;
  return { call: v.call as CallId, startedAt: v.startedAt, endedAt: v.endedAt };
}

export const callToJson = (c: StoredCall): Json => ({ ...c });
export const participantToJson = (p: StoredParticipant): Json => ({ ...p });
export const shareToJson = (s: StoredShare): Json => ({ ...s });

/**
 * The status every peer derives: ended → completed if anyone joined, declined if every invitee
 * declined, else missed; not ended → ongoing if someone joined, declined if all declined,
 * ringing if someone's device rings, else initiated.
 */
export function deriveCallStatus(call: StoredCall, members: number, parts: readonly CallParticipant[]): CallStatus {
  // The invitees of the call as it started, so a later membership change cannot flip a past
  // call between declined and missed; `members` (other members now) only for older records.
  const invitees = call.invitees ?? members;
  const joined = parts.some((p) => p.joinedAt !== null);
  const declined = parts.filter((p) => p.state === 'declined').length;
  const allDeclined = invitees > 0 && declined >= invitees;
  if (call.endedAt !== null) return joined ? 'completed' : allDeclined ? 'declined' : 'missed';
  if (parts.some((p) => p.state === 'joined')) return 'ongoing';
  if (allDeclined) return 'declined';
  if (joined) return 'completed';
  return parts.some((p) => p.state === 'ringing') ? 'ringing' : 'initiated';
}
