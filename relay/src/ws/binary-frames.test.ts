import { encodeBase64, encodeBinaryPush } from '@kith/core/protocol';
import { describe, expect, it } from 'vitest';
import { grantCapability, registerAndLogin } from '../testing/client.js';
import { createTestRelay } from '../testing/fixture.js';
import { createTestIdentity, signTestEnvelope } from '../testing/identity.js';
import { openTestSocket, settle } from '../testing/socket-pair.js';

const CONV = '0190a1b2-0000-7000-8000-00000000b1a1';

describe('binary hot frames through the relay (RLY-39..RLY-45)', () => {
  it('RLY-39: a client that asked gets binary acks, live entries and backlog; one that did not keeps JSON; both see the same entries', async () => {
    const t = await createTestRelay();
    const alice = createTestIdentity('alice');
    const bob = createTestIdentity('bob');
    const aliceToken = await registerAndLogin(t.fetch, alice, 'alice');
    const bobToken = await registerAndLogin(t.fetch, bob, 'bob');
    await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'read' });
    const doc = `feed:${CONV}:${alice.userId}:0`;
    const a = openTestSocket(t.relay);
    a.send({ v: 1, t: 'auth', id: 1, token: aliceToken, frames: 'binary-1' });
    const binSub = openTestSocket(t.relay);
    binSub.send({ v: 1, t: 'auth', id: 1, token: bobToken, frames: 'binary-1' });
    const oldSub = openTestSocket(t.relay);
    oldSub.send({ v: 1, t: 'auth', id: 1, token: bobToken });
    await settle(t.relay);
    expect(a.frames('authed')[0]).toMatchObject({ frames: 'binary-1' });
    expect(oldSub.frames('authed')[0]).not.toHaveProperty('frames');
    // One backlog entry before the subscriptions, pushed as JSON on the binary connection (still allowed).
    const env1 = signTestEnvelope(alice, { doc, counter: 1, body: new Uint8Array([1]) });
    a.send({ v: 1, t: 'push', id: 2, env: encodeBase64(env1) });
    await settle(t.relay);
    for (const s of [binSub, oldSub]) s.send({ v: 1, t: 'sub', id: 7, doc, cap: 'read', after: 0 });
    await settle(t.relay);
    // RLY-41: binary pushes, one with the snapshot-free optional fields absent.
    for (let c = 2; c <= 4; c++) a.send(encodeBinaryPush({ t: 'push', id: 10 + c, env: signTestEnvelope(alice, { doc, counter: c, body: new Uint8Array([c]) }) }));
    await settle(t.relay);
    expect(a.frames('ack').map((f) => [f.id, f.duplicate])).toEqual([[2, false], [12, false], [13, false], [14, false]]);
    // A retry of a stored envelope, binary: a duplicate ack (RLY-42).
    a.send(encodeBinaryPush({ t: 'push', id: 20, env: env1 }));
    await settle(t.relay);
    expect(a.frames('ack', 20)).toEqual([{ v: 1, t: 'ack', id: 20, doc, seq: a.frames('ack', 2)[0]!.seq, duplicate: true }]);
    expect(a.binaryFrames).toBe(5); // every ack after `authed`, the JSON push's too
    const acked = a.frames('ack').filter((f) => !f.duplicate).map((f) => f.seq);
    expect(binSub.entrySeqs()).toEqual(acked);
    expect(oldSub.entrySeqs()).toEqual(acked);
    expect(binSub.binaryFrames).toBeGreaterThan(0);
    expect(oldSub.binaryFrames).toBe(0);
    expect(binSub.inbox.filter((f) => f.t === 'entry' || f.t === 'entries')).toEqual(oldSub.inbox.filter((f) => f.t === 'entry' || f.t === 'entries'));
  });

  it('RLY-45: binary from a client that did not negotiate, and malformed binary, are refused with a coded error; the connection lives on', async () => {
    const t = await createTestRelay();
    const alice = createTestIdentity('alice');
    const token = await registerAndLogin(t.fetch, alice, 'alice');
    const doc = `feed:${CONV}:${alice.userId}:0`;
    const push = encodeBinaryPush({ t: 'push', id: 3, env: signTestEnvelope(alice, { doc, counter: 1, body: new Uint8Array([1]) }) });
    const plain = openTestSocket(t.relay);
    plain.send({ v: 1, t: 'auth', id: 1, token });
    await settle(t.relay);
    plain.send(push);
    await settle(t.relay);
    expect(plain.frames('error').map((f) => f.code)).toEqual(['malformed']);
    expect(plain.frames('ack')).toEqual([]);
    const bin = openTestSocket(t.relay);
    // Before authed, binary is refused too (the switch happens at authed).
    bin.send(push);
    bin.send({ v: 1, t: 'auth', id: 1, token, frames: 'binary-1' });
    await settle(t.relay);
    bin.send(new Uint8Array([2, 1, 0]));
    bin.send(push.subarray(0, 7));
    bin.send(push);
    await settle(t.relay);
    expect(bin.frames('error').map((f) => f.code)).toEqual(['malformed', 'unsupported_version', 'malformed']);
    expect(bin.frames('ack', 3)).toHaveLength(1);
    expect(bin.closed).toBeUndefined();
  });
});
