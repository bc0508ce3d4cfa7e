import { describe, expect, it } from 'vitest';
import type { Random } from '../ports/random.js';

/**
 * The contract of the Random port, for every implementation (platform CSPRNG, seeded test
 * PRNG). Run it from the implementation's test: `runRandomConformance('crypto', createCryptoRandom)`.
 *
 * - `bytes(n)` returns a fresh Uint8Array of exactly `n` bytes for any `n ≥ 0`, including sizes
 *   above the 65,536-byte limit of one `getRandomValues` call.
 * - Every part of the output is random (no zero tail past a chunk boundary); successive calls differ.
 * - Byte values are uniform and bits balanced (loose statistical bounds: a correct generator
 *   fails them with probability far below 1e-6).
 * - `n` that is negative, fractional or NaN throws a RangeError (a programmer error).
 */
export function runRandomConformance(name: string, make: () => Random): void {
  describe(`Random conformance: ${name}`, () => {
    it('returns exactly n bytes, across chunk boundaries', () => {
      const random = make();
      for (const n of [0, 1, 3, 16, 65_535, 65_536, 65_537, 200_000]) {
        const out = random.bytes(n);
        expect(out).toBeInstanceOf(Uint8Array);
        expect(out.length).toBe(n);
      }
    });

    it('returns a fresh array each call, and successive outputs differ', () => {
      const random = make();
      const a = random.bytes(32);
      const b = random.bytes(32);
      expect(a).not.toBe(b);
      expect(a.buffer).not.toBe(b.buffer);
      expect(Array.from(a)).not.toEqual(Array.from(b));
      a.fill(0);
      expect(b.some((x) => x !== 0)).toBe(true);
    });

    it('fills every 64 KiB chunk of a large request', () => {
      const out = make().bytes(4 * 65_536 + 100);
      for (let start = 0; start < out.length; start += 65_536) {
        const chunk = out.subarray(start, Math.min(start + 65_536, out.length));
        const distinct = new Set(chunk).size;
        expect(distinct, `chunk at ${start} looks unfilled`).toBeGreaterThan(Math.min(64, chunk.length / 2));
      }
    });

    it('is uniform over byte values and balanced over bits', () => {
      const sample = make().bytes(1 << 18);
      const counts = new Array<number>(256).fill(0);
      const ones = new Array<number>(8).fill(0);
      for (const byte of sample) {
        counts[byte]! += 1;
        for (let bit = 0; bit < 8; bit++) if ((byte >> bit) & 1) ones[bit]! += 1;
      }
      const expected = sample.length / 256;
      const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
      // 255 degrees of freedom: mean 255, sd ≈ 22.6; 420 is more than 7 sd out.
      expect(chiSquare).toBeLessThan(420);
      for (const n of ones) expect(Math.abs(n / sample.length - 0.5)).toBeLessThan(0.01);
    });

    it('rejects a negative, fractional or NaN length', () => {
      const random = make();
      for (const n of [-1, 1.5, Number.NaN]) expect(() => random.bytes(n)).toThrow(RangeError);
    });
  });
}
