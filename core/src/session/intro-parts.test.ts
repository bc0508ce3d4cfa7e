import { describe, expect, it } from 'vitest';
import { INTRO_MAX_GRANTS, INTRO_MAX_KEY_BYTES, INTRO_MAX_KEY_ENVELOPES, introParts } from './intro-parts.js';

const key = (n: number, bytes = 4200): readonly [string, Uint8Array] => [`k${n}`, new Uint8Array(bytes)];

describe('introParts: one user\'s pending grants and key envelopes split into intros a receiver reads whole', () => {
  it('keeps everything in one intro while it fits', () => {
    const parts = introParts([['g1', 1]], [key(1), key(2)]);
    expect(parts.map((p) => [p.grants.length, p.keys.length])).toEqual([[1, 2]]);
  });

  it(`splits at ${INTRO_MAX_KEY_ENVELOPES} key envelopes and ${INTRO_MAX_GRANTS} grants, in order, losing nothing`, () => {
    const grants = Array.from({ length: INTRO_MAX_GRANTS + 5 }, (_, i) => [`g${i}`, i] as const);
    const keys = Array.from({ length: INTRO_MAX_KEY_ENVELOPES * 2 + 3 }, (_, i) => key(i));
    const parts = introParts(grants, keys);
    expect(parts.every((p) => p.grants.length <= INTRO_MAX_GRANTS && p.keys.length <= INTRO_MAX_KEY_ENVELOPES)).toBe(true);
    expect(parts.flatMap((p) => p.grants.map(([f]) => f))).toEqual(grants.map(([f]) => f));
    expect(parts.flatMap((p) => p.keys.map(([f]) => f))).toEqual(keys.map(([f]) => f));
    expect(parts.map((p) => [p.grants.length, p.keys.length])).toEqual([[INTRO_MAX_GRANTS, 0], [5, INTRO_MAX_KEY_ENVELOPES], [0, INTRO_MAX_KEY_ENVELOPES], [0, 3]]);
  });

  it(`splits by bytes (${INTRO_MAX_KEY_BYTES / 1024} KiB of key envelopes), yet never leaves an oversized envelope out`, () => {
    const big = Array.from({ length: 5 }, (_, i) => key(i, 200 * 1024));
    const parts = introParts([], big);
    expect(parts.map((p) => p.keys.length)).toEqual([2, 2, 1]);
    expect(introParts([], [key(9, INTRO_MAX_KEY_BYTES + 1)]).map((p) => p.keys.length)).toEqual([1]);
    expect(introParts([], [])).toEqual([]);
  });
});
