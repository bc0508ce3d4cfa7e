import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, envelopeSigningBytes, ENVELOPE_RANGE_VERSION } from '../protocol/envelope.js';
import type { DocChange } from '../protocol/doc-change.js';
import { openEnvelope, openEnvelopeUncommitted } from './envelope-open.js';
import { sealChange, sealChanges } from './envelope-seal.js';
import { makeGroup } from './group-fixture.js';
import { feedDoc, flipBit, nextChange, testCrypto } from './test-kit.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('range envelopes: one AEAD, one signature, counters per range (BATCH-1, BATCH-4, BATCH-5)', () => {
  const setup = async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob']);
    const alice = g.peer('alice');
    const bob = g.peer('bob');
    const doc = feedDoc(g.conv, alice.user.id);
    const key = alice.keyring.current(g.conv)!.key;
    const changes = (n: number): DocChange[] => Array.from({ length: n }, (_, i) => nextChange(alice.user, doc, text(`m${i}`)));
    const seal = (cs: readonly DocChange[]): Uint8Array => sealChanges(crypto, cs, 0, key, alice.user.identity);
    return { crypto, g, alice, bob, doc, key, changes, seal };
  };

  it('BATCH-1 a sealed range opens as its changes, in counter order, with one signature check', async () => {
    const { crypto, bob, changes, seal } = await setup();
    const run = changes(5);
    const bytes = seal(run);
    const d = decodeEnvelope(bytes);
    expect(d.ok && [d.value.version, d.value.counter, d.value.to]).toEqual([ENVELOPE_RANGE_VERSION, 1, 5]);
    let verifies = 0;
    const counting = { ...crypto, verify: (...a: Parameters<typeof crypto.verify>) => (verifies++, crypto.verify(...a)) };
    const opened = openEnvelope(counting, bytes, bob);
    expect(opened.ok && opened.value.changes).toEqual(run);
    expect(verifies).toBe(1);
    // One change is sealed exactly as version 1 (old receivers keep reading singles).
    const one = decodeEnvelope(seal(changes(1)));
    expect(one.ok && one.value.version).toBe(1);
  });

  it('BATCH-1 tampering with any byte of a range (header, `to`, list, signature) opens nothing and records nothing', async () => {
    const { crypto, bob, changes, seal } = await setup();
    const bytes = seal(changes(3));
    let accepted = 0;
    for (let bit = 0; bit < bytes.length * 8; bit += 7) if (openEnvelopeUncommitted(crypto, flipBit(bytes, bit), bob).ok) accepted++;
    expect(accepted).toBe(0);
    expect(openEnvelope(crypto, bytes, bob).ok).toBe(true); // nothing was recorded by the failures
    console.log(`BATCH-1 tamper: ${Math.ceil((bytes.length * 8) / 7)} flipped bits, accepted 0`);
  });

  it('BATCH-1 a list re-signed under the v1 prefix, or a v1 signature moved onto a v2 header, is a bad signature', async () => {
    const { crypto, alice, bob, changes, seal } = await setup();
    const d = decodeEnvelope(seal(changes(2)));
    if (!d.ok) throw d.error;
    const e = d.value;
    const v1Bytes = envelopeSigningBytes({ ...e, version: 1, to: undefined as never }, e.nonce, e.body);
    const wrongPrefix = new Uint8Array(envelopeSigningBytes(e, e.nonce, e.body));
    wrongPrefix.set(v1Bytes.subarray(0, 15));
    const forged = encodeEnvelope({ ...e, signature: alice.user.identity.sign(wrongPrefix) });
    const r = openEnvelope(crypto, forged, bob);
    expect(r.ok ? null : r.error.code).toBe('bad_signature');
  });

  it('BATCH-5 replays and overlaps: the same range again is a replay; a different envelope over used counters is equivocation', async () => {
    const { crypto, bob, changes, seal, alice, key } = await setup();
    const run = changes(4);
    const bytes = seal(run);
    expect(openEnvelope(crypto, bytes, bob).ok).toBe(true);
    const again = openEnvelope(crypto, bytes, bob);
    expect(again.ok ? null : again.error.code).toBe('replay');
    const resealed = openEnvelope(crypto, seal(run), bob); // same counters, other nonce
    expect(resealed.ok ? null : resealed.error.code).toBe('equivocation');
    const single = openEnvelope(crypto, sealChange(crypto, run[2]!, 0, key, alice.user.identity), bob);
    expect(single.ok ? null : single.error.code).toBe('equivocation');
    // Overlapping the tail of the stream: used and fresh counters mixed.
    const next = changes(2);
    const straddle = openEnvelope(crypto, seal([run[3]!, ...next.slice(0, 1)].map((c, i) => ({ ...c, counter: 4 + i }))), bob);
    expect(straddle.ok ? null : straddle.error.code).toBe('equivocation');
    // The stream continues after the range.
    const after = openEnvelope(crypto, seal(next), bob);
    expect(after.ok && after.value.changes.map((c) => c.counter)).toEqual([5, 6]);
  });

  it('BATCH-4 only updates form ranges: a sealer refuses members ops and gaps, a v2 member envelope is unauthorized', async () => {
    const { crypto, bob, changes, seal, alice, g } = await setup();
    const [a, , c] = changes(3);
    expect(() => seal([a!, c!])).toThrow();
    const doc = `members:${g.conv}`;
    const op = { ...a!, doc: doc as DocChange['doc'], kind: 'member' as const };
    expect(() => seal([op, { ...op, counter: op.counter + 1 }])).toThrow();
    const d = decodeEnvelope(seal(changes(2)));
    if (!d.ok) throw d.error;
    const asMember = { ...d.value, kind: 'member' as const, doc: doc as DocChange['doc'] };
    const signed = encodeEnvelope({ ...asMember, signature: alice.user.identity.sign(envelopeSigningBytes(asMember, asMember.nonce, asMember.body)) });
    const r = openEnvelope(crypto, signed, bob);
    expect(r.ok ? null : r.error.code).toBe('unauthorized');
  });
});
