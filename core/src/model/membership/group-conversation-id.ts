import { deriveUuid, type ConversationId, type UserId } from '../../ids.js';

/**
 * The id of a group conversation, bound to its creator and the creation op's `at` (MEM-0,
 * ADR 0004): UUIDv8 of BLAKE2b("kith/group/v1", `${creator}|${at}`). A `create` op counts only
 * when `op.conversation === groupConversationId(op.author, op.at)`, so nobody but the creator
 * (proven by signature) can found — or later hijack with a rival `create` — a given group.
 * A creator must not use the same `at` for two groups (take it from a monotonic clock).
 */
export function groupConversationId(creator: UserId, at: number): ConversationId {
  if (!Number.isSafeInteger(at) || at < 0) throw new RangeError('at must be a safe non-negative integer');
  return deriveUuid('kith/group/v1', new TextEncoder().encode(`${creator}|${at}`)) as ConversationId;
}
