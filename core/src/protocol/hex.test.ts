import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../testing/seeded-random.js';
import { decodeHex, encodeHex } from './hex.js';

describe('hex: one codec, strict lowercase decoding (RLY-2c)', () => {
  it('encodes lowercase and round-trips seeded random bytes', () => {
    expect(encodeHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('0001abff');
    const r = createSeededRandom('hex');
    for (let n = 0; n <= 100; n++) {
      const bytes = r.bytes(n);
      expect(decodeHex(encodeHex(bytes))).toEqual(bytes);
      expect(decodeHex(encodeHex(bytes), n)).toEqual(bytes);
    }
  });

  it('refuses odd lengths, non-hex, uppercase, wrong lengths and non-strings with undefined (never garbage, never a throw)', () => {
    const bad: Array<[unknown, number | undefined]> = [['abc', undefined], ['zz', undefined], ['AB', undefined], ['0x00', undefined], [' 00', undefined], ['00', 2], ['0000', 1], [12, undefined], [null, 1], [['00'], 1]];
    expect(bad.map(([t, n]) => decodeHex(t, n))).toEqual(bad.map(() => undefined));
  });
});
