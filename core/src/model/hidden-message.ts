import type { Json } from '../ports/crdt.js';
import type { ConversationId } from '../ids.js';
import { isUuid } from '../ids.js';
import { isRecord } from './text.js';

/**
 * Delete for me: a message hidden on my devices only, in my private `account:<me>` document
 * (collection `hidden`, key = message id, value `{ conversation, at }`). The others keep it; my
 * devices leave it out of pages. An entry whose conversation does not match is ignored.
 */
export interface HiddenMessage {
  readonly conversation: ConversationId;
  /** When I hid it (ms). */
  readonly at: number;
}

export const HIDDEN = 'hidden';

export function parseHiddenMessage(key: string, value: unknown): HiddenMessage | null {
  if (!isUuid(key) || !isRecord(value)) return null;
  const { conversation, at } = value;
  if (!isUuid(conversation) || typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) return null;
  return { conversation: conversation as ConversationId, at };
}

export const hiddenMessageToJson = (h: HiddenMessage): Json => ({ conversation: h.conversation, at: h.at });
