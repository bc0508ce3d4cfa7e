import type { Json } from '../ports/crdt.js';
import { isUuid } from '../ids.js';
import { isRecord } from './text.js';

/**
 * Receipts (ADR 0001 § Receipts): per member and device a watermark in the member's feed
 * (collection `rcpt`, key = device id, value `{ delivered, read }`: message ids or null). A
 * member's watermark is the max over devices and chunks; it never moves backwards. Per-message
 * status is derived from it.
 */
export interface Watermark {
  readonly delivered: string | null;
  readonly read: string | null;
}

export type ReceiptStatus = 'sent' | 'delivered' | 'read';

export const RCPT = 'rcpt';
export const EMPTY_WATERMARK: Watermark = { delivered: null, read: null };

export function parseWatermark(key: string, value: unknown): Watermark | null {
  if (!isUuid(key) || !isRecord(value)) return null;
  const { delivered, read } = value;
  if (delivered !== null && !isUuid(delivered)) return null;
  if (read !== null && !isUuid(read)) return null;
  return { delivered, read };
}

export function watermarkToJson(w: Watermark): Json {
  return { delivered: w.delivered, read: w.read };
}

const maxId = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);

/** Pointwise max; read implies delivered. */
export function mergeWatermarks(a: Watermark, b: Watermark): Watermark {
  const read = maxId(a.read, b.read);
  return { delivered: maxId(maxId(a.delivered, b.delivered), read), read };
}

export function statusFor(messageId: string, w: Watermark): ReceiptStatus {
  if (w.read !== null && w.read >= messageId) return 'read';
  if (w.delivered !== null && w.delivered >= messageId) return 'delivered';
  return 'sent';
}
