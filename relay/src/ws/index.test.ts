import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryRelayStore } from '../store/memory/index.js';
import { encodeBase64 } from '@kith/core/protocol';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../testing/identity.js';
import { grantCapability, registerAndLogin } from '../testing/client.js';
import { createTestRelay, type TestRelay } from '../testing/fixture.js';
import { openTestSocket, settle, type TestSocketClient } from '../testing/socket-pair.js';

const CONV = '0190a1b2-0000-7000-8000-00000000c0a1';
const feedOf = (id: TestIdentity): string => `feed:${CONV}:${id.userId}:0`;
const env = (id: TestIdentity, counter: number, text = `m${counter}`): string =>
  encodeBase64(signTestEnvelope(id, { doc: feedOf(id), counter, body: new TextEncoder().encode(text) }));

describe('WebSocket protocol over an in-process socket pair (RLY-*)', () => {
  let t: TestRelay;
  let alice: TestIdentity;
  let bob: TestIdentity;
  let aliceToken: string;
  let bobToken: string;

  async function connect(token: string): Promise<TestSocketClient> {
    const s = openTestSocket(t.relay);
    s.send({ v: 1, t: 'auth', id: 0, token });
    await settle(t.relay);
    expect(s.frames('authed').length).toBe(1);
    return s;
  }

  beforeEach(async () => {
    t = await createTestRelay();
    alice = createTestIdentity('alice');
    bob = createTestIdentity('bob');
    aliceToken = await registerAndLogin(t.fetch, alice, 'alice');
    bobToken = await registerAndLogin(t.fetch, bob, 'bob');
    await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'read' });
  });

  it('greets, refuses work before auth, and closes sockets that miss the auth deadline (RLY-3)', async () => {
    const s = openTestSocket(t.relay);
    expect(s.inbox[0]).toMatchObject({ t: 'hello', authDeadlineMs: 10_000 });
    s.send({ v: 1, t: 'push', id: 1, env: env(alice, 1) });
    s.send({ v: 1, t: 'ping', id: 2 });
    await settle(t.relay);
    expect(s.frames('error', 1)[0]?.code).toBe('unauthorized');
    expect(s.frames('pong', 2).length).toBe(1);
    t.clock.advance(10_001);
    expect(s.closed?.code).toBe(4401);
    const bad = openTestSocket(t.relay);
    bad.send({ v: 1, t: 'auth', id: 1, token: 'not-a-session' });
    await settle(t.relay);
    expect(bad.closed?.code).toBe(1008);
    expect(t.relay.metrics.connections).toBe(0);
  });

  it('RLY-2/RLY-8a frames that do not parse get a coded error without id, counted; request errors carry the id; the socket keeps working', async () => {
    const s = await connect(aliceToken);
    const rejectsBefore = [...t.relay.metrics.rejects.values()].reduce((a, b) => a + b, 0);
    const unparseable: Array<string | Uint8Array> = ['not json', new Uint8Array([1, 2, 3]), '{"v":1,"t":"nope","id":3}', '[1,2]', '{"v":1,"t":"pull","id":4,"doc":7}', '{"v":1,"t":"push","id":5,"env":"%%% not base64"}'];
    for (const frame of unparseable) s.send(frame);
    s.send({ v: 1, t: 'pull', id: 6, doc: feedOf(alice), cap: 'not-the-token', after: 0, limit: 5 }); // parses, then refused
    s.send({ v: 1, t: 'ping', id: 7 });
    await settle(t.relay);
    const errors = s.frames('error');
    expect(errors).toHaveLength(unparseable.length + 1);
    const withoutId = errors.filter((e) => !('id' in e) || e.id === undefined);
    expect(withoutId).toHaveLength(unparseable.length);
    expect(withoutId.map((e) => e.code)).toEqual(unparseable.map(() => 'malformed'));
    expect(s.frames('error', 6).map((e) => e.code)).toEqual(['forbidden']);
    expect(s.frames('pong', 7)).toHaveLength(1);
    expect(s.closed).toBeUndefined();
    const rejectsAfter = [...t.relay.metrics.rejects.values()].reduce((a, b) => a + b, 0);
    expect(rejectsAfter - rejectsBefore).toBeGreaterThanOrEqual(unparseable.length);
  });

  it('OPS-5 shutdown drains: queued pushes commit and are acked, then sockets close 1001; new sockets are refused', async () => {
    const s = await connect(aliceToken);
    for (let i = 1; i <= 3; i++) s.send({ v: 1, t: 'push', id: i, env: env(alice, i) });
    await t.relay.shutdown(); // no settle before: the pushes are still in flight
    expect(s.frames('ack').map((a) => a.id)).toEqual([1, 2, 3]);
    expect(s.closed?.code).toBe(1001);
    expect(openTestSocket(t.relay).closed?.code).toBe(1001);
    expect((await t.fetch('/health')).status).toBe(503);
  });

  it('acks pushes in order after durable write; duplicates get the same seq (RLY-9/10)', async () => {
    const s = await connect(aliceToken);
    for (let i = 1; i <= 50; i++) s.send({ v: 1, t: 'push', id: i, env: env(alice, i) });
    s.send({ v: 1, t: 'push', id: 51, env: env(alice, 7) });
    await settle(t.relay);
    const acks = s.frames('ack');
    expect(acks.map((a) => a.id)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(acks[50]).toMatchObject({ duplicate: true, seq: acks[6]!.seq });
    expect(t.relay.docs.committer.batches).toBeLessThan(10);
    console.log(`[ws] 51 pushes → 50 stored, 1 duplicate, ${t.relay.docs.committer.batches} group commits`);
  });

  it('subscription sends the backlog then live entries without gaps or repeats (RLY-12)', async () => {
    const a = await connect(aliceToken);
    for (let i = 1; i <= 5; i++) a.send({ v: 1, t: 'push', id: i, env: env(alice, i) });
    await settle(t.relay);
    const b = await connect(bobToken);
    b.send({ v: 1, t: 'sub', id: 9, doc: feedOf(alice), cap: 'wrong', after: 0 });
    await settle(t.relay);
    expect(b.frames('error', 9)[0]?.code).toBe('forbidden');
    b.send({ v: 1, t: 'sub', id: 10, doc: feedOf(alice), cap: 'read', after: 2 });
    for (let i = 6; i <= 8; i++) a.send({ v: 1, t: 'push', id: i, env: env(alice, i) });
    await settle(t.relay);
    // Backlog (`entries`) and live entries (`entry`, or `entries` with the sub id when several
    // became durable together, RLY-23), in the order they arrived.
    const delivered = (): number[] =>
      b.inbox.flatMap((f) => (f.t === 'entries' && f.id === 10 ? f.entries.map((e) => e.seq) : f.t === 'entry' ? [f.seq] : []));
    const seqs = delivered();
    expect(seqs.length).toBe(6);
    expect(new Set(seqs).size).toBe(6);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    b.send({ v: 1, t: 'unsub', id: 11, doc: feedOf(alice) });
    a.send({ v: 1, t: 'push', id: 9, env: env(alice, 9) });
    await settle(t.relay);
    expect(delivered()).toEqual(seqs);
    console.log(`[ws] subscriber got ${seqs.length} entries (3 backlog + 3 live), 0 after unsub`);
  });

  it('pull pages with a cursor', async () => {
    const a = await connect(aliceToken);
    for (let i = 1; i <= 12; i++) a.send({ v: 1, t: 'push', id: i, env: env(alice, i) });
    await settle(t.relay);
    a.send({ v: 1, t: 'pull', id: 20, doc: feedOf(alice), cap: 'read', after: 0, limit: 10 });
    await settle(t.relay);
    const p1 = a.frames('entries', 20)[0]!;
    expect(p1.entries.length).toBe(10);
    expect(p1.more).toBe(true);
    a.send({ v: 1, t: 'pull', id: 21, doc: feedOf(alice), cap: 'read', after: p1.next, limit: 10 });
    await settle(t.relay);
    expect(a.frames('entries', 21)[0]).toMatchObject({ more: false });
    expect(a.frames('entries', 21)[0]!.entries.length).toBe(2);
  });

  it('forwards presence, typing and call signaling; presence goes offline on disconnect (RLY-20..22)', async () => {
    const a = await connect(aliceToken);
    const b = await connect(bobToken);
    a.send({ v: 1, t: 'presence', id: 1, state: 'busy', to: [bob.userId] });
    a.send({ v: 1, t: 'signal', id: 2, kind: 'typing', to: { user: bob.userId }, body: 'AAAA' });
    for (const [i, kind] of (['ring', 'offer', 'ice', 'hangup'] as const).entries()) {
      a.send({ v: 1, t: 'signal', id: 10 + i, kind, to: { user: bob.userId, device: bob.device }, body: encodeBase64(new Uint8Array([i])) });
    }
    b.send({ v: 1, t: 'signal', id: 3, kind: 'answer', to: { user: alice.userId, device: alice.device }, body: 'AQ==' });
    a.send({ v: 1, t: 'signal', id: 4, kind: 'offer', to: { user: bob.userId, device: alice.device }, body: 'AQ==' });
    await settle(t.relay);
    expect(b.frames('presence')[0]).toMatchObject({ from: { user: alice.userId, device: alice.device }, state: 'busy' });
    expect(b.frames('signal').map((f) => f.kind)).toEqual(['typing', 'ring', 'offer', 'ice', 'hangup']);
    expect(a.frames('signal')[0]).toMatchObject({ kind: 'answer', from: { user: bob.userId } });
    expect(a.frames('error', 4)[0]?.code).toBe('offline');
    a.close();
    expect(b.frames('presence').at(-1)).toMatchObject({ state: 'offline', from: { user: alice.userId } });
    console.log(`[ws] bob received ${b.frames('presence').length} presence + ${b.frames('signal').length} signal frames; nothing stored: ${await t.relay.ctx.store.docs.storedBytes()} bytes`);
  });

  it('rate-limits a flooding connection, then closes it; closes slow consumers (OPS-4)', async () => {
    t = await createTestRelay({ limits: { connRate: 10, connBurst: 20 } });
    const token = await registerAndLogin(t.fetch, alice, 'alice');
    const s = openTestSocket(t.relay);
    s.send({ v: 1, t: 'auth', id: 0, token });
    await settle(t.relay);
    for (let i = 0; i < 30; i++) s.send({ v: 1, t: 'ping', id: i + 1 });
    expect(s.frames('error').filter((e) => e.code === 'rate_limited').length).toBe(11); // 1 auth + 30 pings, burst 20
    for (let i = 0; i < 30; i++) s.send({ v: 1, t: 'ping', id: 100 + i });
    expect(s.closed?.code).toBe(4429);
    t.clock.advance(10_000);
    let buffered = 0;
    const slow = openTestSocket(t.relay, { bufferedAmount: () => buffered });
    buffered = 1 << 30;
    slow.send({ v: 1, t: 'ping', id: 1 });
    expect(slow.closed?.code).toBe(1013);
    console.log(`[ws] rejects by reason: ${JSON.stringify(Object.fromEntries(t.relay.metrics.rejects))}`);
  });

  it('H1: a connection rate-limit error carries the refused frame id, and the retried pushes are stored (RLY-8a)', async () => {
    t = await createTestRelay({ limits: { connRate: 1, connBurst: 4 } });
    aliceToken = await registerAndLogin(t.fetch, alice, 'alice');
    const s = await connect(aliceToken);
    for (let i = 1; i <= 6; i++) s.send({ v: 1, t: 'push', id: i, env: env(alice, i) });
    await settle(t.relay);
    const limited = s.frames('error').filter((e) => e.code === 'rate_limited');
    expect(limited.map((e) => ('id' in e ? e.id : undefined))).toEqual([4, 5, 6]);
    expect(s.frames('ack').map((a) => a.id)).toEqual([1, 2, 3]);
    // The client retries exactly the refused ids later; lower counters than the head are stored.
    t.clock.advance(10_000);
    for (const i of [4, 5, 6]) s.send({ v: 1, t: 'push', id: 10 + i, env: env(alice, i) });
    await settle(t.relay);
    expect(s.frames('ack').map((a) => a.id)).toEqual([1, 2, 3, 14, 15, 16]);
    expect((await t.relay.ctx.store.docs.read(feedOf(alice), 0, 100)).length).toBe(6);
    console.log(`[ws] H1 rate_limited with ids ${limited.length}/3, retried and stored 6/6`);
  });

  it('M7: a throw in the push path answers storage_failed with the frame id; a failing compaction still acks', async () => {
    const store = createMemoryRelayStore();
    let failCaps = false;
    const getCapability = store.accounts.getCapability.bind(store.accounts);
    const accounts = { ...store.accounts, getCapability: (scope: string) => (failCaps ? Promise.reject(new Error('disk')) : getCapability(scope)) };
    const docs = { ...store.docs, compact: () => Promise.reject(new Error('disk')) };
    t = await createTestRelay({ store: { ...store, accounts, docs } });
    aliceToken = await registerAndLogin(t.fetch, alice, 'alice');
    const s = await connect(aliceToken);
    failCaps = true;
    s.send({ v: 1, t: 'push', id: 1, env: env(alice, 1) });
    await settle(t.relay);
    expect(s.frames('error', 1).map((e) => e.code)).toEqual(['storage_failed']);
    failCaps = false;
    s.send({ v: 1, t: 'push', id: 2, env: env(alice, 1) });
    const snap = encodeBase64(signTestEnvelope(alice, { doc: feedOf(alice), counter: 2, kind: 'snapshot', body: new Uint8Array([1]) }));
    s.send({ v: 1, t: 'push', id: 3, env: snap, supersedes: 1 });
    await settle(t.relay);
    expect(s.frames('ack').map((a) => a.id)).toEqual([2, 3]);
    expect(t.logs.some((l) => l.includes('doc.compact_failed'))).toBe(true);
    console.log('[ws] M7 throw → storage_failed with id 1; compaction failure logged, push 3 acked');
  });

  it('M3: a signal flood is limited per (sender, recipient) and dropped; the victim is never closed (RLY-21a)', async () => {
    const a = await connect(aliceToken);
    let victimBuffer = 0;
    const b = openTestSocket(t.relay, { bufferedAmount: () => victimBuffer });
    b.send({ v: 1, t: 'auth', id: 0, token: bobToken });
    await settle(t.relay);
    const big = 'A'.repeat(90 * 1024);
    for (let i = 1; i <= 40; i++) a.send({ v: 1, t: 'signal', id: i, kind: 'offer', to: { user: bob.userId }, body: big });
    await settle(t.relay);
    const okIds = a.frames('ok').map((f) => f.id);
    const limited = a.frames('error').filter((e) => e.code === 'rate_limited');
    expect(okIds.length).toBeGreaterThan(0);
    expect(okIds.length + limited.length).toBe(40);
    expect(limited.every((e) => 'id' in e && typeof e.id === 'number')).toBe(true);
    expect(b.frames('signal').length).toBe(okIds.length);
    // The victim stops reading: further signals (and presence) are dropped, the victim stays open.
    victimBuffer = 64 * 1024 * 1024;
    t.clock.advance(60_000);
    a.send({ v: 1, t: 'signal', id: 100, kind: 'ring', to: { user: bob.userId }, body: 'AQ==' });
    a.send({ v: 1, t: 'presence', id: 101, state: 'online', to: [bob.userId] });
    await settle(t.relay);
    expect(a.frames('error', 100)[0]?.code).toBe('rate_limited');
    expect(a.frames('error', 101)[0]?.code).toBe('rate_limited');
    expect(b.closed).toBeUndefined();
    console.log(`[ws] M3 flood of 40×90 KiB: ${okIds.length} forwarded, ${limited.length} dropped with ids; victim open`);
  });

  it('L2: rotating a read capability re-checks live subscriptions; a rotated-out reader gets no more entries', async () => {
    const a = await connect(aliceToken);
    const b = await connect(bobToken);
    b.send({ v: 1, t: 'sub', id: 5, doc: feedOf(alice), cap: 'read', after: 0 });
    await settle(t.relay);
    a.send({ v: 1, t: 'push', id: 1, env: env(alice, 1) });
    await settle(t.relay);
    expect(b.frames('entry').length).toBe(1);
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, version: 2, readToken: 'read2' })).status).toBe(200);
    await settle(t.relay);
    expect(b.frames('error', 5)[0]?.code).toBe('forbidden');
    a.send({ v: 1, t: 'push', id: 2, env: env(alice, 2) });
    await settle(t.relay);
    expect(b.frames('entry').length).toBe(1);
    // A reader holding the new token keeps its subscription across a rotation that keeps it.
    b.send({ v: 1, t: 'sub', id: 6, doc: feedOf(alice), cap: 'read2', after: 2 });
    await settle(t.relay);
    await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, version: 3, readToken: 'read2' });
    a.send({ v: 1, t: 'push', id: 3, env: env(alice, 3) });
    await settle(t.relay);
    expect(b.frames('error', 6).length).toBe(0);
    expect(b.frames('entry').map((e) => e.seq).length).toBe(2);
    console.log('[ws] L2 rotated-out reader dropped (forbidden), current reader kept');
  });

  it('CAP-5: a rotated-out token still reads what was stored up to the rotation (the removal op), then its subscription ends; nothing later', async () => {
    const a = await connect(aliceToken);
    const b = await connect(bobToken);
    const members = `members:${CONV}`;
    a.send({ v: 1, t: 'push', id: 1, env: env(alice, 1) });
    a.send({ v: 1, t: 'push', id: 2, env: encodeBase64(signTestEnvelope(alice, { doc: members, counter: 1, kind: 'member', body: new Uint8Array([7]) })) });
    await settle(t.relay);
    expect(a.frames('ack').length).toBe(2);
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, version: 2, readToken: 'read2' })).status).toBe(200);
    a.send({ v: 1, t: 'push', id: 3, env: env(alice, 2) });
    await settle(t.relay);
    // bob was offline during the rotation and holds only the old token.
    b.send({ v: 1, t: 'sub', id: 7, doc: members, cap: 'read', after: 0 });
    b.send({ v: 1, t: 'sub', id: 8, doc: feedOf(alice), cap: 'read', after: 0 });
    b.send({ v: 1, t: 'pull', id: 9, doc: feedOf(alice), cap: 'read', after: 0, limit: 10 });
    await settle(t.relay);
    expect(b.frames('entries', 7).flatMap((f) => f.entries).length).toBe(1);
    expect(b.frames('error', 7)[0]?.code).toBe('forbidden');
    expect(b.frames('entries', 8).flatMap((f) => f.entries).length).toBe(1);
    expect(b.frames('error', 8)[0]?.code).toBe('forbidden');
    expect(b.frames('entries', 9)[0]?.entries.length).toBe(1);
    a.send({ v: 1, t: 'push', id: 4, env: env(alice, 3) });
    await settle(t.relay);
    expect(b.frames('entry').length).toBe(0);
    // The current token reads everything; a token never stored reads nothing.
    b.send({ v: 1, t: 'pull', id: 10, doc: feedOf(alice), cap: 'read2', after: 0, limit: 10 });
    b.send({ v: 1, t: 'pull', id: 11, doc: feedOf(alice), cap: 'other', after: 0, limit: 10 });
    await settle(t.relay);
    expect(b.frames('entries', 10)[0]?.entries.length).toBe(3);
    expect(b.frames('error', 11)[0]?.code).toBe('forbidden');
  });

  it('L4: live entries arriving during a long backlog are bounded and re-pulled, without gaps or repeats', async () => {
    const store = createMemoryRelayStore();
    let open!: () => void;
    let gate: Promise<void> | undefined;
    const read = store.docs.read.bind(store.docs);
    const docs = { ...store.docs, read: async (doc: string, after: number, limit: number) => (gate === undefined ? read(doc, after, limit) : gate.then(() => read(doc, after, limit))) };
    t = await createTestRelay({ store: { ...store, docs }, limits: { maxPullLimit: 5 } });
    aliceToken = await registerAndLogin(t.fetch, alice, 'alice');
    bobToken = await registerAndLogin(t.fetch, bob, 'bob');
    await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'read' });
    const a = await connect(aliceToken);
    const b = await connect(bobToken);
    gate = new Promise<void>((r) => (open = r));
    b.send({ v: 1, t: 'sub', id: 7, doc: feedOf(alice), cap: 'read', after: 0 });
    for (let i = 1; i <= 23; i++) a.send({ v: 1, t: 'push', id: i, env: env(alice, i) });
    await settle(t.relay);
    expect(a.frames('ack').length).toBe(23);
    gate = undefined;
    open();
    await settle(t.relay, 6);
    expect(b.frames('ok', 7).length).toBe(1);
    const seqs = [...b.frames('entries', 7).flatMap((f) => f.entries.map((e) => e.seq)), ...b.frames('entry').map((e) => e.seq)];
    expect(seqs.length).toBe(23);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(23);
    expect(t.relay.metrics.rejects.get('subscription_overflow')).toBe(1);
    console.log(`[ws] L4 23 entries during a gated backlog (buffer bound 5): delivered ${seqs.length}, no gaps or repeats`);
  });
});
