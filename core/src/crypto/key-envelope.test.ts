import { describe, expect, it } from 'vitest';
import { uuidToBytes } from '../ids.js';
import { decodeEnvelope, encodeEnvelope } from '../protocol/envelope.js';
import { createCounterTracker } from './counter-tracker.js';
import { openEnvelope } from './envelope-open.js';
import { sealChange, sealChangeWithKeyring } from './envelope-seal.js';
import { makeGroup } from './group-fixture.js';
import { applyKeyEnvelope, openKeyEnvelope, sealKeyEnvelope } from './key-envelope.js';
import { createKeyring, epochKeyHash } from './keyring.js';
import { SecretKey } from './secret-key.js';
import { feedDoc, flipBit, makeUser, membersDoc, nextChange, testCrypto } from './test-kit.js';

describe('key envelopes and epochs (KEY-3..5)', () => {
  it('KEY-3/4 tampered key envelopes, a box forwarded to another user and relabelled entries: accepted = 0', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => g.peer(n));
    const key = new SecretKey(crypto.randomBytes(32));
    const bytes = sealKeyEnvelope(crypto, { conversation: g.conv, epoch: 1, key, removals: 0, counter: 100, grants: [{ recipient: bob!.user.identity.public }] }, alice!.user.identity);
    let attempts = 0;
    let accepted = 0;
    const open = (b: Uint8Array, who = bob!): string => {
      attempts++;
      const r = openKeyEnvelope(crypto, b, { identity: who.user.identity, authorize: who.authorize, counters: createCounterTracker() });
      if (r.ok) accepted++;
      return r.ok ? 'ACCEPTED' : r.error.code;
    };
    for (let bit = 0; bit < bytes.length * 8; bit += 13) open(flipBit(bytes, bit));
    for (let k = 1; k <= 5; k++) {
      if (k === 4) continue;
      const r = bytes.slice();
      r[1] = k;
      open(r);
    }
    // forwarded: the relay delivers bob's envelope to carol
    const forwarded = open(bytes, carol);
    // relabelled: the recipient id inside the body is changed to carol's
    const e = decodeEnvelope(bytes);
    if (!e.ok) throw e.error;
    const body = e.value.body.slice();
    const carolId = uuidToBytes(carol!.user.id);
    body.set(carolId, 1 + 4 + 32 + 2);
    const relabelled = open(encodeEnvelope({ ...e.value, body }), carol);
    // replayed into another conversation (doc) and epoch
    const other = makeGroup(crypto, ['alice', 'bob'], 1_700_000_000_009);
    const movedConv = open(encodeEnvelope({ ...e.value, doc: `keys:${other.conv}` as typeof e.value.doc }), other.peer('bob'));
    const movedEpoch = open(encodeEnvelope({ ...e.value, epoch: 2 }));
    console.log(`[KEY tamper] attempts=${attempts} accepted=${accepted} forwarded=${forwarded} relabelled=${relabelled} otherConv=${movedConv} otherEpoch=${movedEpoch}`);
    expect(accepted).toBe(0);
    expect(forwarded).toBe('not_found');
    expect(relabelled).toBe('bad_signature');
    expect(open(bytes)).toBe('ACCEPTED');
  });

  it('KEY-4 a sealed box copied into another conversation or epoch is refused even when an admin signs it', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob']);
    const other = makeGroup(crypto, ['alice', 'bob'], 1_700_000_000_009);
    const [alice, bob] = ['alice', 'bob'].map((n) => g.peer(n));
    const bytes = sealKeyEnvelope(crypto, { conversation: g.conv, epoch: 3, key: new SecretKey(crypto.randomBytes(32)), removals: 0, counter: 7, grants: [{ recipient: bob!.user.identity.public }] }, alice!.user.identity);
    const e = decodeEnvelope(bytes);
    if (!e.ok) throw e.error;
    const { signEnvelope } = await import('./envelope-seal.js');
    const codes: string[] = [];
    for (const header of [{ ...e.value, doc: `keys:${other.conv}` as typeof e.value.doc }, { ...e.value, epoch: 4 }]) {
      const resigned = signEnvelope(alice!.user.identity, header, e.value.nonce, e.value.body);
      const peer = header.epoch === 4 ? bob! : other.peer('bob');
      const r = openKeyEnvelope(crypto, resigned, { identity: peer.user.identity, authorize: peer.authorize, counters: createCounterTracker() });
      codes.push(r.ok ? 'ACCEPTED' : r.error.code);
    }
    console.log(`[KEY-4] copied box: ${codes.join(',')}`);
    expect(codes).toEqual(['unauthorized', 'unauthorized']);
  });

  it('KEY-5 concurrent rotations by two admins resolve to the same canonical key on every peer, in any order', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => g.peer(n));
    const promote = alice!.log.create(alice!.user.id, { type: 'role', user: bob!.user.id, role: 'admin' }, 1_700_000_000_100);
    g.broadcastOp(promote.bytes, alice!.user);
    const grants = [alice!, bob!, carol!].map((p) => ({ recipient: p.user.identity.public }));
    const k1 = new SecretKey(crypto.randomBytes(32));
    const k2 = new SecretKey(crypto.randomBytes(32));
    const e1 = sealKeyEnvelope(crypto, { conversation: g.conv, epoch: 1, key: k1, removals: 0, counter: 50, grants }, alice!.user.identity);
    const e2 = sealKeyEnvelope(crypto, { conversation: g.conv, epoch: 1, key: k2, removals: 0, counter: 1, grants }, bob!.user.identity);
    const canon: string[] = [];
    for (const [p, order] of [[alice!, [e1, e2]], [bob!, [e2, e1]], [carol!, [e2, e1]]] as const) {
      for (const env of order) {
        const r = openKeyEnvelope(crypto, env, { identity: p.user.identity, authorize: p.authorize, counters: p.counters });
        if (!r.ok) throw r.error;
        applyKeyEnvelope(p.keyring, r.value, 0);
      }
      canon.push(p.keyring.current(g.conv)!.info.keyHash);
    }
    const expected = [epochKeyHash(crypto, k1), epochKeyHash(crypto, k2)].sort()[0];
    expect(new Set(canon)).toEqual(new Set([expected]));
    // a message sealed under the losing key (by a sender that saw only it) still opens
    const loser = epochKeyHash(crypto, k1) === expected ? k2 : k1;
    const msg = sealChange(crypto, nextChange(alice!.user, feedDoc(g.conv, alice!.user.id), new Uint8Array([1])), 1, loser, alice!.user.identity);
    expect(openEnvelope(crypto, msg, carol!).ok).toBe(true);
    const restored = createKeyring(crypto, carol!.keyring.snapshot());
    expect(restored.current(g.conv)!.info.keyHash).toBe(expected);
    expect(restored.epochs(g.conv).length).toBe(carol!.keyring.epochs(g.conv).length);
    expect(JSON.stringify(carol!.keyring.snapshot())).toContain('"key":"[secret]"');
    console.log(`[KEY-5] 3 peers, 2 concurrent epoch-1 keys, canonical agreed=${new Set(canon).size === 1}`);
  });

  it('KEY-3 a joiner verifies the membership log with roster keys but reads no earlier history unless shared', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob']);
    const [alice, bob] = ['alice', 'bob'].map((n) => g.peer(n));
    const old = sealChange(crypto, nextChange(bob!.user, feedDoc(g.conv, bob!.user.id), new TextEncoder().encode('before you joined')), 0, bob!.keyring.current(g.conv)!.key, bob!.user.identity);
    const rosterOp = sealChange(crypto, nextChange(alice!.user, membersDoc(g.conv), alice!.log.allOps()[0]!, 'member'), 0, alice!.keyring.current(g.conv)!.key, alice!.user.identity);
    const erin = makeUser(crypto, 'erin');
    const add = alice!.log.create(alice!.user.id, { type: 'add', user: erin.id, role: 'member' }, 1_700_000_000_200);
    const erinKeyring = createKeyring(crypto);
    const erinCounters = createCounterTracker();
    const erinAuth = bob!.authorize; // same log content after the add
    g.broadcastOp(add.bytes, alice!.user);
    const grant = (shared: boolean) => sealKeyEnvelope(crypto, {
      conversation: g.conv, epoch: 1, key: new SecretKey(crypto.randomBytes(32)), removals: 0, counter: shared ? 21 : 20,
      grants: [{ recipient: erin.identity.public, rosterKeys: alice!.keyring.rosterKeys(g.conv, 1), ...(shared ? { sharedKeys: [{ epoch: 0, key: alice!.keyring.epochKey(g.conv, 0)! }] } : {}) }],
    }, alice!.user.identity);
    const r = openKeyEnvelope(crypto, grant(false), { identity: erin.identity, authorize: erinAuth, counters: erinCounters });
    if (!r.ok) throw r.error;
    applyKeyEnvelope(erinKeyring, r.value, 0);
    const ctx = { keyring: erinKeyring, counters: erinCounters, authorize: erinAuth };
    const roster = openEnvelope(crypto, rosterOp, ctx);
    const history = openEnvelope(crypto, old, ctx);
    expect(roster.ok).toBe(true);
    expect(history.ok ? 'ok' : history.error.code).toBe('unknown_epoch');
    const r2 = openKeyEnvelope(crypto, grant(true), { identity: erin.identity, authorize: erinAuth, counters: erinCounters });
    if (!r2.ok) throw r2.error;
    applyKeyEnvelope(erinKeyring, r2.value, 0);
    expect(openEnvelope(crypto, old, ctx).ok).toBe(true);
    console.log(`[KEY-3 joiner] roster op opened=${roster.ok}, history before share=${history.ok ? 'read' : history.error.code}, after explicit share=read`);
    expect(() => sealChangeWithKeyring(crypto, nextChange(erin, feedDoc(g.conv, erin.id), new Uint8Array(1)), createKeyring(crypto), erin.identity)).toThrow(/unknown_epoch/);
  });
});
