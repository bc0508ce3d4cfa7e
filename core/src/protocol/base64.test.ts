import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../testing/seeded-random.js';
import { decodeBase64, encodeBase64 } from './base64.js';

describe('base64: one strict codec (RLY-2c)', () => {
  it('matches RFC 4648 §10 test vectors both ways', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
    for (const [plain, text] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(encodeBase64(bytes)).toBe(text);
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it('round-trips seeded random bytes of every length up to 300 and a 1 MiB buffer, like Node does', () => {
    const r = createSeededRandom('base64');
    for (let n = 0; n <= 300; n++) {
      const bytes = r.bytes(n);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
    }
    const big = r.bytes(1 << 20);
    const back = decodeBase64(encodeBase64(big));
    expect(back !== undefined && Buffer.from(back).equals(Buffer.from(big))).toBe(true);
  });

  it('refuses anything but the one canonical text: bad characters, padding, length, trailing bits, whitespace', () => {
    const bad: unknown[] = ['Zg', 'Zg=', 'Zg===', '=Zg=', 'Z===', 'Zm9v\n', ' Zm9v', 'Zm9v Yg==', 'Zm-v', 'Zm_v', 'Zm9vé===', 'Zh==', 'Zm9=', 'Zg==Zg==', 'Zm=v', 42, null, undefined];
    expect(bad.map((b) => decodeBase64(b))).toEqual(bad.map(() => undefined));
  });
});
