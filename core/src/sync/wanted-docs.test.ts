import { describe, expect, it } from 'vitest';
import { feedDocId, MAX_CHUNK } from '../model/doc-ids.js';
import type { ConversationId, UserId } from '../ids.js';
import { nextChunk } from './wanted-docs.js';

const conv = '0b0e4c3a-8d7e-4f4c-9a51-2f6c1d3e5a70' as ConversationId;
const author = '6f1f3a2e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' as UserId;

describe('nextChunk', () => {
  it('follows the hex chunk numbers the engine writes (9 → a, f → 10, ff → 100)', () => {
    // Regression: chunk ids were read as decimal, so after chunk 9 a device subscribed chunk 16
    // ("10") and never saw chunk 10 ("a"): a device 10,000 messages behind stopped at 10,000.
    for (const n of [0, 1, 9, 10, 15, 16, 255, 4095]) {
      expect(nextChunk(feedDocId(conv, author, n))).toBe(feedDocId(conv, author, n + 1));
    }
    expect(nextChunk(feedDocId(conv, author, 9))).toBe(`feed:${conv}:${author}:a`);
  });

  it('gives nothing for other documents, malformed ids or the last chunk', () => {
    expect(nextChunk(`members:${conv}`)).toBeUndefined();
    expect(nextChunk(`feed:${conv}:${author}:zz`)).toBeUndefined();
    expect(nextChunk(`feed:${conv}:${author}:09`)).toBeUndefined();
    expect(nextChunk(feedDocId(conv, author, MAX_CHUNK))).toBeUndefined();
  });
});
