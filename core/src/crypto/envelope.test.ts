import { describe, expect, it } from 'vitest';
import { createSeededRandom, seedFromEnv } from '../testing/seeded-random.js';
import { withSeed } from '../testing/fuzz-env.js';
import { decodeEnvelope, encodeEnvelope, envelopeSigningBytes } from '../protocol/envelope.js';
import { parseDocId } from '../ids.js';
import { counterStream, openEnvelope } from './envelope-open.js';
import { sealChange } from './envelope-seal.js';
import { makeGroup } from './group-fixture.js';
import { feedDoc, flipBit, membersDoc, nextChange, testCrypto } from './test-kit.js';
import type { DocChange } from '../protocol/doc-change.js';

/** Byte ranges of each envelope field, for targeted bit flips. */
export function envelopeFields(bytes: Uint8Array): Record<string, [number, number]> {
  const docLen = bytes[2]!;
  const h = 3 + docLen;
  const bodyLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(h + 4 + 32 + 16 + 8 + 24);
  const body = h + 4 + 32 + 16 + 8 + 24 + 4;
  return {
    version: [0, 1],
    kind: [1, 2],
    doc: [2, h],
    epoch: [h, h + 4],
    author: [h + 4, h + 36],
    device: [h + 36, h + 52],
    counter: [h + 52, h + 60],
    nonce: [h + 60, h + 84],
    bodyLength: [h + 84, h + 88],
    ciphertext: [body, body + bodyLen],
    signature: [body + bodyLen, body + bodyLen + 64],
  };
}

describe('envelopes (ENV-3..6)', () => {
  it('ENV-3/4 a sealed change opens for a member, with every field proven', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob']);
    const alice = g.peer('alice');
    const bob = g.peer('bob');
    const change = nextChange(alice.user, feedDoc(g.conv, alice.user.id), new TextEncoder().encode('hello'));
    const bytes = sealChange(crypto, change, 0, alice.keyring.current(g.conv)!.key, alice.user.identity);
    const opened = openEnvelope(crypto, bytes, bob);
    expect(opened.ok).toBe(true);
    if (opened.ok) expect(opened.value.change).toEqual(change);
    expect(JSON.stringify(alice.keyring.current(g.conv))).not.toMatch(/[0-9a-f]{64}.*[0-9a-f]{64}.*[0-9a-f]{64}/);
  });

  it('ENV-4/6 tampering with any field of update, snapshot and member envelopes: accepted = 0, nothing recorded', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob', 'carol']);
    const alice = g.peer('alice');
    const bob = g.peer('bob');
    const key = alice.keyring.current(g.conv)!.key;
    const op = alice.log.create(alice.user.id, { type: 'info', name: 'renamed' }, 1_700_000_000_500);
    const cases: Array<{ kind: string; change: DocChange; snapshot: boolean }> = [
      { kind: 'update', change: nextChange(alice.user, feedDoc(g.conv, alice.user.id), new Uint8Array(100).fill(7)), snapshot: false },
      { kind: 'snapshot', change: nextChange(alice.user, feedDoc(g.conv, alice.user.id), new Uint8Array(300).fill(9)), snapshot: true },
      { kind: 'member', change: nextChange(alice.user, membersDoc(g.conv), op.bytes, 'member'), snapshot: false },
    ];
    let attempts = 0;
    let accepted = 0;
    const perField: Record<string, number> = {};
    for (const c of cases) {
      const bytes = sealChange(crypto, c.change, 0, key, alice.user.identity, { snapshot: c.snapshot });
      for (const [field, [from, to]] of Object.entries(envelopeFields(bytes))) {
        const bits = new Set([from * 8, from * 8 + 1, Math.floor((from + to) / 2) * 8 + 3, to * 8 - 1]);
        for (const bit of bits) {
          attempts++;
          perField[field] = (perField[field] ?? 0) + 1;
          const r = openEnvelope(crypto, flipBit(bytes, bit), bob);
          if (r.ok) accepted++;
        }
      }
      // re-labelled as every other kind
      for (let k = 1; k <= 5; k++) {
        if (k === bytes[1]) continue;
        const relabelled = bytes.slice();
        relabelled[1] = k;
        attempts++;
        if (openEnvelope(crypto, relabelled, bob).ok) accepted++;
      }
      // truncated and extended
      for (const cut of [1, 10, 64, bytes.length - 1]) {
        attempts++;
        if (openEnvelope(crypto, bytes.subarray(0, cut), bob).ok) accepted++;
      }
      const header = decodeEnvelope(bytes);
      if (!header.ok) throw header.error;
      expect(bob.counters.highest(counterStream(header.value))).toBe(0);
    }
    console.log(`[ENV tamper] ${attempts} tampered envelopes over 3 kinds (${Object.keys(perField).length} fields + relabel + truncation), accepted=${accepted}`);
    expect(accepted).toBe(0);
    expect(attempts).toBeGreaterThan(120);
    // the untampered originals still open afterwards: nothing was consumed by the failures
    for (const c of cases) {
      const again = sealChange(crypto, { ...c.change, counter: c.change.counter + 10 }, 0, key, alice.user.identity, { snapshot: c.snapshot });
      expect(openEnvelope(crypto, again, bob).ok).toBe(true);
    }
  });

  it('ENV-4/AUTH-1 replays into another conversation or epoch, and re-signing by another member: accepted = 0', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob', 'carol']);
    const other = makeGroup(crypto, ['alice', 'bob', 'carol'], 1_700_000_000_001);
    const [alice, bob, carol] = [g.peer('alice'), g.peer('bob'), g.peer('carol')];
    g.rotate('alice', 1);
    const change = nextChange(alice.user, feedDoc(g.conv, alice.user.id), new TextEncoder().encode('secret'));
    const bytes = sealChange(crypto, change, 1, alice.keyring.epochKey(g.conv, 1)!, alice.user.identity);
    const e = decodeEnvelope(bytes);
    if (!e.ok) throw e.error;
    const env = e.value;
    const codes: string[] = [];
    const tryOpen = (b: Uint8Array, peer = bob): void => {
      const r = openEnvelope(crypto, b, peer);
      codes.push(r.ok ? 'ACCEPTED' : r.error.code);
    };
    // same bytes, another conversation's feed / another epoch (signature no longer matches)
    tryOpen(encodeEnvelope({ ...env, doc: feedDoc(other.conv, alice.user.id) }), other.peer('bob'));
    tryOpen(encodeEnvelope({ ...env, epoch: 0 }));
    tryOpen(encodeEnvelope({ ...env, epoch: 2 }));
    tryOpen(encodeEnvelope({ ...env, doc: feedDoc(g.conv, alice.user.id, 1) }));
    // carol re-signs, keeping alice as claimed author key
    tryOpen(encodeEnvelope({ ...env, signature: carol.user.identity.sign(envelopeSigningBytes(env, env.nonce, env.body)) }));
    // carol re-signs as herself (author = carol's key) on alice's feed
    const asCarol = { ...env, author: carol.user.identity.public.signingKey };
    tryOpen(encodeEnvelope({ ...asCarol, signature: carol.user.identity.sign(envelopeSigningBytes(asCarol, env.nonce, env.body)) }));
    // carol decrypts (she is a member) and re-seals alice's plaintext into alice's feed under her own key
    const plain = openEnvelope(crypto, bytes, carol);
    expect(plain.ok).toBe(true);
    const forged = { ...change, author: carol.user.id, device: carol.user.identity.device };
    tryOpen(sealChange(crypto, { ...forged, doc: feedDoc(g.conv, carol.user.id) }, 1, carol.keyring.epochKey(g.conv, 1)!, carol.user.identity));
    const accepted = codes.filter((c) => c === 'ACCEPTED').length;
    console.log(`[ENV replay/resign] codes=${codes.join(',')} accepted(excluding carol's own feed)=${accepted - 1}`);
    // the last one is carol's own change on her own feed: legitimately hers, not alice's
    expect(codes.slice(0, -1).every((c) => c !== 'ACCEPTED')).toBe(true);
    expect(codes.slice(0, 4).every((c) => c === 'bad_signature')).toBe(true);
    expect(codes[4]).toBe('bad_signature');
    expect(codes[5]).toBe('not_the_author');
  });

  it('ENV-5 replays and duplicates in random order change nothing; gaps are reported', async () => {
    const crypto = await testCrypto();
    const seed = seedFromEnv();
    withSeed(seed, () => {
      const rng = createSeededRandom(seed);
      const g = makeGroup(crypto, ['alice', 'bob']);
      const alice = g.peer('alice');
      const bob = g.peer('bob');
      const key = alice.keyring.current(g.conv)!.key;
      const doc = feedDoc(g.conv, alice.user.id);
      const sent = Array.from({ length: 60 }, (_, i) => sealChange(crypto, nextChange(alice.user, doc, new Uint8Array([i])), 0, key, alice.user.identity));
      const deliveries = sent.flatMap((b) => Array.from({ length: 1 + rng.int(3) }, () => b));
      rng.shuffle(deliveries);
      const held = sent.slice(20, 25);
      let accepted = 0;
      let refused = 0;
      let gapsReported = 0;
      const seen = new Set<number>();
      for (const b of deliveries) {
        if (held.includes(b)) continue;
        const r = openEnvelope(crypto, b, bob);
        if (r.ok) {
          accepted++;
          gapsReported += r.value.gap;
          expect(seen.has(r.value.change.counter)).toBe(false);
          seen.add(r.value.change.counter);
        } else {
          expect(r.error.code).toBe('replay');
          refused++;
        }
      }
      const dec = decodeEnvelope(sent[0]!);
      if (!dec.ok) throw dec.error;
      const gaps = bob.counters.gaps(counterStream(dec.value));
      expect(gaps).toEqual([[21, 25]]);
      for (const b of held) expect(openEnvelope(crypto, b, bob).ok).toBe(true);
      expect(bob.counters.gaps(counterStream(dec.value))).toEqual([]);
      for (const b of held) expect(openEnvelope(crypto, b, bob).ok).toBe(false);
      console.log(`[ENV-5] seed=${seed} deliveries=${deliveries.length} accepted=${accepted + held.length} (unique 60) duplicatesRefused=${refused} gapCountersReported=${gapsReported} gapsAfterHeld=[21..25]`);
      expect(accepted + held.length).toBe(60);
    });
  });

  it('ENV-5 a different envelope reusing a counter is equivocation; the same bytes are a replay', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob']);
    const alice = g.peer('alice');
    const key = alice.keyring.current(g.conv)!.key;
    const change = nextChange(alice.user, feedDoc(g.conv, alice.user.id), new Uint8Array([1]));
    const first = sealChange(crypto, change, 0, key, alice.user.identity);
    const second = sealChange(crypto, { ...change, payload: new Uint8Array([2]) }, 0, key, alice.user.identity);
    expect(openEnvelope(crypto, first, g.peer('bob')).ok).toBe(true);
    const dup = openEnvelope(crypto, first, g.peer('bob'));
    const equivocation = openEnvelope(crypto, second, g.peer('bob'));
    expect(dup.ok ? 'ok' : dup.error.code).toBe('replay');
    expect(equivocation.ok ? 'ok' : equivocation.error.code).toBe('equivocation');
  });

  it('ENV-5 a counter jump beyond the bound is refused as counter_gap', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob']);
    const alice = g.peer('alice');
    const change = { ...nextChange(alice.user, feedDoc(g.conv, alice.user.id), new Uint8Array(1)), counter: 2 ** 40 };
    const r = openEnvelope(crypto, sealChange(crypto, change, 0, alice.keyring.current(g.conv)!.key, alice.user.identity), g.peer('bob'));
    expect(r.ok ? 'ok' : r.error.code).toBe('counter_gap');
  });

  it('an unknown epoch and a non-member author are refused before decryption', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob']);
    const outsider = makeGroup(crypto, ['mallory']).peer('mallory');
    const alice = g.peer('alice');
    const key = alice.keyring.current(g.conv)!.key;
    const r1 = openEnvelope(crypto, sealChange(crypto, nextChange(alice.user, feedDoc(g.conv, alice.user.id), new Uint8Array(1)), 7, key, alice.user.identity), g.peer('bob'));
    expect(r1.ok ? 'ok' : r1.error.code).toBe('unknown_epoch');
    const r2 = openEnvelope(crypto, sealChange(crypto, nextChange(outsider.user, feedDoc(g.conv, outsider.user.id), new Uint8Array(1)), 0, key, outsider.user.identity), g.peer('bob'));
    expect(r2.ok ? 'ok' : r2.error.code).toBe('not_a_member');
    expect(parseDocId(`members:${g.conv}`)).toBe(membersDoc(g.conv));
  });
});
