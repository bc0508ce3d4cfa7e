import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope.js';
import { parseDocId } from '../ids.js';

const sample: Envelope = {
  version: 1,
  kind: 'update',
  doc: parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-7000-8000-000000000002:0'),
  epoch: 3,
  author: new Uint8Array(32).fill(7),
  device: new Uint8Array(16).fill(9),
  counter: 42,
  nonce: new Uint8Array(24).fill(1),
  body: new Uint8Array([1, 2, 3]),
  signature: new Uint8Array(64).fill(5),
};

describe('envelope codec (ENV-1..7)', () => {
  it('round-trips every field', () => {
    const decoded = decodeEnvelope(encodeEnvelope(sample));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.value).toEqual(sample);
  });

  it('rejects every truncation and any trailing byte with a typed error', () => {
    const bytes = encodeEnvelope(sample);
    let rejected = 0;
    for (let n = 0; n < bytes.length; n++) {
      const r = decodeEnvelope(bytes.subarray(0, n));
      if (!r.ok) rejected++;
      expect(r.ok).toBe(false);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(decodeEnvelope(longer).ok).toBe(false);
    expect(rejected).toBe(bytes.length);
  });

  it('rejects an unknown version and kind', () => {
    const bytes = encodeEnvelope(sample);
    const v = bytes.slice();
    v[0] = 3; // 1 and 2 (BATCH-1) are known
    const r1 = decodeEnvelope(v);
    expect(r1.ok ? null : r1.error.code).toBe('unsupported_version');
    const k = bytes.slice();
    k[1] = 99;
    const r2 = decodeEnvelope(k);
    expect(r2.ok ? null : r2.error.code).toBe('malformed');
  });
});
