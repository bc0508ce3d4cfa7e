import { deriveUserId, directConversationId } from '@kith/core';
import type { ConversationId, UserId } from '@kith/core';
import { formatUuid } from '@kith/core/protocol';

/**
 * Deterministic ids for the schema sample data, shaped exactly like Kith's (core/src/ids.ts):
 * UUIDv7 (48-bit ms, 12-bit counter, random tail) for messages, groups, calls, attachments;
 * user ids derived from a signing key; direct conversation ids derived from the pair.
 */
export interface SampleIds {
  /** A UUIDv7 at `ms` with HLC `counter`; the random tail comes from the seeded generator. */
  v7(ms: number, counter?: number): string;
  /** `n` deterministic bytes. */
  bytes(n: number): Uint8Array;
  /** A fresh user: 32-byte signing key and the id derived from it. */
  user(): { id: UserId; signingKey: Uint8Array };
  direct(a: UserId, b: UserId): ConversationId;
}

export function createSampleIds(seed: number): SampleIds {
  let state = seed >>> 0;
  // mulberry32: tiny, seeded, good enough for sample ids.
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = next() & 0xff;
    return out;
  };
  const v7 = (ms: number, counter = 0): string => {
    const b = new Uint8Array(16);
    let t = ms;
    for (let i = 5; i >= 0; i--) {
      b[i] = t % 256;
      t = Math.floor(t / 256);
    }
    b[6] = 0x70 | (counter >> 8);
    b[7] = counter & 0xff;
    b.set(bytes(8), 8);
    b[8] = (b[8]! & 0x3f) | 0x80;
    return formatUuid(b);
  };
  return {
    v7,
    bytes,
    user() {
      const signingKey = bytes(32);
      return { id: deriveUserId(signingKey), signingKey };
    },
    direct: directConversationId,
  };
}
