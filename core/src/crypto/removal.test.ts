import { describe, expect, it } from 'vitest';
import { createMembershipLog } from '../model/membership/index.js';
import { decodeEnvelope, encodeEnvelopeHeader } from '../protocol/envelope.js';
import { createMembershipAuthorizer } from './authorize.js';
import { createCounterTracker } from './counter-tracker.js';
import { openEnvelope } from './envelope-open.js';
import { sealChange } from './envelope-seal.js';
import { checkSendable, planEpoch } from './epoch-planner.js';
import { makeGroup } from './group-fixture.js';
import { openKeyEnvelope } from './key-envelope.js';
import { createKeyring } from './keyring.js';
import { feedDoc, makeUser, membersDoc, nextChange, testCrypto } from './test-kit.js';

const T = 1_700_000_000_000;

describe('removal and membership authority (KEY-6/7, AUTH-1..3)', () => {
  it('KEY-7 a removed member keeping every old key decrypts 0 messages sent after its removal; its later changes are accepted by 0', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob', 'carol', 'dave']);
    const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((n) => g.peer(n));
    // before removal: dave wrote 3 changes that everyone accepted
    const daveFeed = feedDoc(g.conv, dave!.user.id);
    for (let i = 0; i < 3; i++) {
      const b = sealChange(crypto, nextChange(dave!.user, daveFeed, new Uint8Array([i])), 0, dave!.keyring.current(g.conv)!.key, dave!.user.identity);
      for (const p of [alice!, bob!, carol!]) expect(openEnvelope(crypto, b, p).ok).toBe(true);
    }
    // alice removes dave with a cutoff at counter 3, everyone applies it
    const removal = alice!.log.create(alice!.user.id, { type: 'remove', user: dave!.user.id, cutoff: { [`${daveFeed}|${dave!.user.identity.device}`]: 3 } }, T + 10);
    g.broadcastOp(removal.bytes, alice!.user);
    // before the new epoch arrives nobody may send: the send gate holds bob's message back
    const bobState = bob!.log.state();
    const gate = checkSendable(bobState, bob!.user.id, bob!.keyring.current(g.conv)?.info);
    expect(gate.ok ? 'ok' : gate.error.code).toBe('unknown_epoch');
    // the remover's client plans and performs the rotation
    const plan = planEpoch({ me: alice!.user.id, state: alice!.log.state(), current: alice!.keyring.current(g.conv)?.info, messagesInEpoch: 0, now: T + 11, authoredRemoval: true, staleSince: T + 10 });
    expect(plan).toMatchObject({ action: 'rotate', epoch: 1, reason: 'removal' });
    if (plan.action !== 'rotate') throw new Error('no rotation');
    expect(plan.recipients).not.toContain(dave!.user.id);
    const keyEnv = g.rotate('alice', 1);
    const daveKeyTry = openKeyEnvelope(crypto, keyEnv, { identity: dave!.user.identity, authorize: dave!.authorize, counters: createCounterTracker() });
    expect(daveKeyTry.ok ? 'ok' : daveKeyTry.error.code).toBe('not_found');
    // everyone else sends 30 messages after the removal
    const after: Uint8Array[] = [];
    for (const p of [alice!, bob!, carol!]) {
      const current = checkSendable(p.log.state(), p.user.id, p.keyring.current(g.conv)?.info);
      expect(current.ok).toBe(true);
      for (let i = 0; i < 10; i++) {
        after.push(sealChange(crypto, nextChange(p.user, feedDoc(g.conv, p.user.id), new TextEncoder().encode(`after ${i}`)), p.keyring.current(g.conv)!.info.epoch, p.keyring.current(g.conv)!.key, p.user.identity));
      }
    }
    // dave keeps every old key and a permissive view (his own stale log without the removal)
    const staleLog = createMembershipLog(g.conv);
    for (const op of alice!.log.allOps().slice(0, 1)) staleLog.receive(op, alice!.user.id);
    const daveView = { keyring: dave!.keyring, counters: createCounterTracker(), authorize: createMembershipAuthorizer(() => staleLog.state()) };
    let daveDecrypted = 0;
    for (const b of after) {
      if (openEnvelope(crypto, b, daveView).ok) daveDecrypted++;
      // and brute force: every key dave ever held, with the right nonce and associated data
      const e = decodeEnvelope(b);
      if (!e.ok) throw e.error;
      for (const info of dave!.keyring.epochs(g.conv)) {
        for (const key of dave!.keyring.keysFor(e.value.doc, info.epoch)) {
          if (crypto.aeadDecrypt(e.value.body, encodeEnvelopeHeader(e.value), e.value.nonce, key.expose()) !== null) daveDecrypted++;
        }
      }
    }
    // dave's later changes (epoch 0 and a forged epoch-1 attempt with his old key) to his feed and the log
    let acceptedFromDave = 0;
    let attempts = 0;
    const laterChanges = [
      sealChange(crypto, nextChange(dave!.user, daveFeed, new Uint8Array([9])), 0, dave!.keyring.epochKey(g.conv, 0)!, dave!.user.identity),
      sealChange(crypto, nextChange(dave!.user, daveFeed, new Uint8Array([10])), 1, dave!.keyring.epochKey(g.conv, 0)!, dave!.user.identity),
      sealChange(crypto, nextChange(dave!.user, feedDoc(g.conv, dave!.user.id, 1), new Uint8Array([11])), 0, dave!.keyring.epochKey(g.conv, 0)!, dave!.user.identity),
      sealChange(crypto, nextChange(dave!.user, membersDoc(g.conv), dave!.log.allOps()[0]!, 'member'), 0, dave!.keyring.epochKey(g.conv, 0)!, dave!.user.identity),
    ];
    for (const b of laterChanges) {
      for (const p of [alice!, bob!, carol!]) {
        attempts++;
        const r = openEnvelope(crypto, b, p);
        if (r.ok) acceptedFromDave++;
        else expect(['not_a_member', 'unknown_epoch', 'decrypt_failed']).toContain(r.error.code);
      }
    }
    console.log(`[KEY-7 removal] messages after removal=${after.length} decryptedByRemoved=${daveDecrypted}; removed member's later changes: attempts=${attempts} accepted=${acceptedFromDave}`);
    expect(daveDecrypted).toBe(0);
    expect(acceptedFromDave).toBe(0);
  });

  it('AUTH-2/MEM-5 a relay-injected add, a non-admin add and a non-admin key envelope: 0 accepted', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => g.peer(n));
    const relay = makeUser(crypto, 'relay');
    const intruder = makeUser(crypto, 'intruder');
    let accepted = 0;
    // 1. the relay signs an add with its own key (it has no member key to forge)
    const relayLog = createMembershipLog(g.conv);
    for (const op of alice!.log.allOps()) relayLog.receive(op, alice!.user.id);
    const relayOp = { v: 1 as const, conversation: g.conv, author: relay.id, parents: relayLog.state().heads, lamport: 2, at: T + 5, body: { type: 'add' as const, user: intruder.id, role: 'admin' as const } };
    const { encodeMemberOp } = await import('../model/membership/index.js');
    const relayBytes = encodeMemberOp(relayOp);
    const relayKey = carol!.keyring.epochKey(g.conv, 0)!; // worst case: the relay even holds a key
    const r1 = openEnvelope(crypto, sealChange(crypto, nextChange(relay, membersDoc(g.conv), relayBytes, 'member'), 0, relayKey, relay.identity), bob!);
    if (r1.ok) accepted++;
    expect(r1.ok ? 'ok' : r1.error.code).toBe('not_a_member');
    // 2. bob (a member, not an admin) adds the intruder: the envelope is his, the op has no effect
    const bobOp = { ...relayOp, author: bob!.user.id };
    const bobBytes = encodeMemberOp(bobOp);
    const r2 = openEnvelope(crypto, sealChange(crypto, nextChange(bob!.user, membersDoc(g.conv), bobBytes, 'member'), 0, bob!.keyring.current(g.conv)!.key, bob!.user.identity), carol!);
    expect(r2.ok).toBe(true);
    if (r2.ok) carol!.log.receive(r2.value.change.payload, r2.value.change.author);
    if (carol!.log.state().members.has(intruder.id)) accepted++;
    // 3. bob hands out an epoch key
    const { sealKeyEnvelope } = await import('./key-envelope.js');
    const { SecretKey } = await import('./secret-key.js');
    const bogus = sealKeyEnvelope(crypto, { conversation: g.conv, epoch: 5, key: new SecretKey(crypto.randomBytes(32)), removals: 0, counter: 1, grants: [{ recipient: carol!.user.identity.public }] }, bob!.user.identity);
    const r3 = openKeyEnvelope(crypto, bogus, { identity: carol!.user.identity, authorize: carol!.authorize, counters: carol!.counters });
    if (r3.ok) accepted++;
    expect(r3.ok ? 'ok' : r3.error.code).toBe('not_an_admin');
    console.log(`[AUTH] relay add=${r1.ok ? 'accepted' : r1.error.code}, non-admin add effective=${carol!.log.state().members.has(intruder.id)}, non-admin key envelope=${r3.ok ? 'accepted' : r3.error.code}; accepted=${accepted}`);
    expect(accepted).toBe(0);
    expect(createKeyring(crypto).current(g.conv)).toBeUndefined();
  });
});
