import { describe, expect, it } from 'vitest';
import { parseDocId } from '../ids.js';
import { decodeChangeList, encodeChangeList } from './change-list.js';
import { ENVELOPE_RANGE_VERSION, MAX_RANGE_CHANGES, decodeEnvelope, encodeEnvelope, encodeEnvelopeHeader, envelopeLastCounter, envelopeSigningBytes, type Envelope } from './envelope.js';

const range: Envelope = {
  version: ENVELOPE_RANGE_VERSION,
  kind: 'update',
  doc: parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-7000-8000-000000000002:0'),
  epoch: 3,
  author: new Uint8Array(32).fill(7),
  device: new Uint8Array(16).fill(9),
  counter: 42,
  to: 45,
  nonce: new Uint8Array(24).fill(1),
  body: new Uint8Array([1, 2, 3]),
  signature: new Uint8Array(64).fill(5),
};
const codeOf = (r: { ok: boolean; error?: { code: string } }): string | null => (r.ok ? null : (r.error?.code ?? null));

/** Offset of the 8-byte `to` field: version, kind, doc (str8), epoch, author, device, counter. */
const toOffset = (e: Envelope): number => 2 + 1 + e.doc.length + 4 + 32 + 16 + 8;

describe('envelope version 2: a counter range (BATCH-1, BATCH-2)', () => {
  it('BATCH-1 round-trips a range; the header (AD) carries `to` after `counter`; version 1 is a range of one', () => {
    const decoded = decodeEnvelope(encodeEnvelope(range));
    expect(decoded.ok && decoded.value).toEqual(range);
    expect(encodeEnvelopeHeader(range).length).toBe(encodeEnvelopeHeader({ ...range, version: 1, to: undefined as never }).length + 8);
    expect(envelopeLastCounter(range)).toBe(45);
    const { to: _to, ...single } = range;
    const v1 = decodeEnvelope(encodeEnvelope({ ...single, version: 1 }));
    expect(v1.ok && envelopeLastCounter(v1.value)).toBe(42);
    expect(v1.ok && 'to' in v1.value).toBe(false);
  });

  it('BATCH-1 the signature prefix names the version: kith/v2/<kind>\\0 (a v1 signature never verifies a v2 header)', () => {
    const v2 = new TextDecoder().decode(envelopeSigningBytes(range, range.nonce, range.body).subarray(0, 15));
    expect(v2).toBe('kith/v2/update\0');
    const { to: _to, ...single } = range;
    const v1 = new TextDecoder().decode(envelopeSigningBytes({ ...single, version: 1 }, range.nonce, range.body).subarray(0, 15));
    expect(v1).toBe('kith/v1/update\0');
  });

  it('BATCH-2 hostile ranges: to < from, a range beyond MAX_RANGE_CHANGES, a huge `to`, truncations — typed errors, never a throw', () => {
    const bytes = encodeEnvelope(range);
    const at = toOffset(range);
    const withTo = (hi: number, lo: number): Uint8Array => {
      const b = bytes.slice();
      new DataView(b.buffer).setUint32(at, hi);
      new DataView(b.buffer).setUint32(at + 4, lo);
      return b;
    };
    expect(codeOf(decodeEnvelope(withTo(0, 41)))).toBe('malformed'); // to < from
    expect(codeOf(decodeEnvelope(withTo(0, 42 + MAX_RANGE_CHANGES)))).toBe('too_large');
    expect(codeOf(decodeEnvelope(withTo(0, 42 + MAX_RANGE_CHANGES - 1)))).toBeNull(); // exactly the bound
    expect(codeOf(decodeEnvelope(withTo(0xffffffff, 0xffffffff)))).toBe('malformed'); // beyond 2^53
    expect(codeOf(decodeEnvelope(withTo(0x1fffff, 0xffffffff)))).toBe('too_large'); // 2^53 − 1
    let rejected = 0;
    for (let n = 0; n < bytes.length; n++) if (!decodeEnvelope(bytes.subarray(0, n)).ok) rejected++;
    expect(rejected).toBe(bytes.length);
    // A version 1 envelope re-labelled 2 loses 8 bytes to `to`: refused, not misread.
    const { to: _to, ...single } = range;
    const relabelled = encodeEnvelope({ ...single, version: 1 });
    relabelled[0] = 2;
    expect(decodeEnvelope(relabelled).ok).toBe(false);
    expect(() => encodeEnvelopeHeader({ ...range, to: 41 })).toThrow();
    expect(() => encodeEnvelopeHeader({ ...range, version: 1 })).toThrow();
    console.log(`BATCH-2: ${rejected} truncations and 5 hostile ranges refused with typed errors`);
  });

  it('BATCH-3 change lists: round trip; a count that differs from the range, a truncated list or trailing bytes are malformed', () => {
    const payloads = [new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])];
    const list = encodeChangeList(payloads);
    const back = decodeChangeList(list, 3);
    expect(back.ok && back.value).toEqual(payloads);
    expect(codeOf(decodeChangeList(list, 2))).toBe('malformed');
    expect(codeOf(decodeChangeList(list, 4))).toBe('malformed');
    for (let n = 0; n < list.length; n++) expect(decodeChangeList(list.subarray(0, n), 3).ok).toBe(false);
    const longer = new Uint8Array(list.length + 1);
    longer.set(list);
    expect(codeOf(decodeChangeList(longer, 3))).toBe('malformed');
    // A payload length pointing past the end.
    const lying = list.slice();
    new DataView(lying.buffer).setUint32(4, 1000);
    expect(codeOf(decodeChangeList(lying, 3))).toBe('malformed');
    expect(() => encodeChangeList([])).toThrow();
  });
});
