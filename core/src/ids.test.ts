import { describe, expect, it } from 'vitest';
import { isKithError } from './errors.js';
import { formatUuid, uuidToBytes } from './ids.js';

describe('UUID bytes (KEY-4 recipients, ENV-1 device ids): one layout, strict parsing', () => {
  it('formats 16 bytes as 8-4-4-4-12 lowercase hex and parses them back', () => {
    const b = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const id = formatUuid(b);
    expect(id).toBe('00112233-4455-6677-8899-aabbccddeeff');
    expect(uuidToBytes('0190a1b2-0000-4000-8000-000000000001')).toEqual(Uint8Array.from([1, 144, 161, 178, 0, 0, 64, 0, 128, 0, 0, 0, 0, 0, 0, 1]));
  });

  it('refuses anything but a canonical UUID with invalid_id, never garbage bytes', () => {
    for (const bad of ['', 'not-a-uuid', '0190A1B2-0000-4000-8000-000000000001', '0190a1b2000040008000000000000001', '0190a1b2-0000-4000-8000-00000000000g', '0190a1b2-0000-4000-8000-0000000000011']) {
      let error: unknown;
      try {
        uuidToBytes(bad);
      } catch (e) {
        error = e;
      }
      expect(isKithError(error, 'invalid_id'), bad).toBe(true);
    }
  });
});
