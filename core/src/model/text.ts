import { KithError } from '../errors.js';

/** Message text limit: 64 KiB of UTF-8. */
export const MAX_TEXT_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/** Whether `text` encodes to more than `max` UTF-8 bytes (encodes only when it could). */
export function exceedsUtf8(text: string, max: number): boolean {
  if (text.length * 3 <= max) return false;
  if (text.length > max) return true;
  return encoder.encode(text).length > max;
}

/**
 * Validates message text from an app call: ≤ 64 KiB UTF-8, and non-empty after trim unless the
 * message carries at least one attachment (a captionless photo or file).
 */
export function expectMessageText(text: unknown, hasAttachments = false): string {
  if (typeof text !== 'string') throw new KithError('invalid_argument', 'text must be a string');
  if (!hasAttachments && text.trim().length === 0) throw new KithError('message_empty', 'message has no text and no attachment');
  if (exceedsUtf8(text, MAX_TEXT_BYTES)) throw new KithError('message_too_large', 'message text exceeds 64 KiB');
  return text;
}

/** A bounded string, for validating stored values. */
export function isBoundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative safe integer. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
