import type { Json } from '../ports/crdt.js';
import { KithError } from '../errors.js';
import { isUuid } from '../ids.js';
import { isRecord } from './text.js';

/**
 * Reactions (ADR 0001 § Reactions): one per member per message, stored in the member's current
 * feed chunk, collection `react`, key = message id, value `{ emoji | null, at }` where `at` is an
 * HLC id. Reacting again replaces; removing writes `emoji: null`. Across chunks the highest `at`
 * wins, so every peer resolves the same reaction.
 */
export interface StoredReaction {
  readonly emoji: string | null;
  readonly at: string;
}

export const REACT = 'react';
/** An emoji or short reaction token: 1–32 UTF-16 units, no control characters. */
const EMOJI_RE = /^[^\p{Cc}\s]{1,32}$/u;

export function expectEmoji(value: unknown): string {
  if (typeof value !== 'string' || value.length > 32 || !EMOJI_RE.test(value)) {
    throw new KithError('invalid_argument', 'a reaction is 1–32 characters without spaces');
  }
  return value;
}

export function parseStoredReaction(key: string, value: unknown): StoredReaction | null {
  if (!isUuid(key) || !isRecord(value) || !isUuid(value.at)) return null;
  const { emoji } = value;
  if (emoji !== null && (typeof emoji !== 'string' || emoji.length > 32 || !EMOJI_RE.test(emoji))) return null;
  return { emoji, at: value.at };
}

export function reactionToJson(r: StoredReaction): Json {
  return { emoji: r.emoji, at: r.at };
}

/** The later of two reactions of one member to one message. */
export function laterReaction(a: StoredReaction | undefined, b: StoredReaction): StoredReaction {
  return a === undefined || b.at > a.at ? b : a;
}
