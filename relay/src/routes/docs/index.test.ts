import { beforeEach, describe, expect, it } from 'vitest';
import { decodeBase64 } from '@kith/core/protocol';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../../testing/identity.js';
import { grantCapability, registerAndLogin } from '../../testing/client.js';
import { createTestRelay, type TestRelay } from '../../testing/fixture.js';

const CONV = '0190a1b2-0000-7000-8000-00000000c0a1';
const feedOf = (id: TestIdentity, n = 0): string => `feed:${CONV}:${id.userId}:${n}`;
const body = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Page {
  entries: { seq: number; env: string }[];
  next: number;
  more: boolean;
}

describe('document logs over HTTP (RLY-5..11, CAP-*, SNAP-1)', () => {
  let t: TestRelay;
  let alice: TestIdentity;
  let bob: TestIdentity;
  let aliceToken: string;
  let bobToken: string;
  const push = (token: string, bytes: Uint8Array, headers: Record<string, string> = {}) =>
    t.fetch('/v1/docs', { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body: bytes as Uint8Array<ArrayBuffer> });
  const pull = async (token: string, doc: string, query: string, cap?: string) =>
    t.fetch(`/v1/docs/${encodeURIComponent(doc)}?${query}`, { headers: { authorization: `Bearer ${token}`, ...(cap === undefined ? {} : { 'x-kith-cap': cap }) } });

  beforeEach(async () => {
    t = await createTestRelay();
    alice = createTestIdentity('alice');
    bob = createTestIdentity('bob');
    aliceToken = await registerAndLogin(t.fetch, alice, 'alice');
    bobToken = await registerAndLogin(t.fetch, bob, 'bob');
  });

  it('stores once, acks a byte-identical retry with the same seq, rejects equivocation; H1: a late lower counter is stored', async () => {
    const e1 = signTestEnvelope(alice, { doc: feedOf(alice), counter: 1, body: body('one') });
    const r1 = await push(aliceToken, e1);
    expect(r1.status).toBe(201);
    const a1 = (await r1.json()) as { seq: number; duplicate: boolean };
    const r2 = await push(aliceToken, e1);
    expect(r2.status).toBe(200);
    expect(await r2.json()).toMatchObject({ seq: a1.seq, duplicate: true });
    const eq = await push(aliceToken, signTestEnvelope(alice, { doc: feedOf(alice), counter: 1, body: body('other') }));
    expect(eq.status).toBe(409);
    expect(((await eq.json()) as { error: { code: string } }).error.code).toBe('equivocation');
    expect((await push(aliceToken, signTestEnvelope(alice, { doc: feedOf(alice), counter: 3, body: body('3') }))).status).toBe(201);
    // H1: counter 2 was never stored (out of order, or refused once): stored, not `replay`.
    const late = signTestEnvelope(alice, { doc: feedOf(alice), counter: 2, body: body('2') });
    expect((await push(aliceToken, late)).status).toBe(201);
    expect((await push(aliceToken, late)).status).toBe(200);
    const eq2 = await push(aliceToken, signTestEnvelope(alice, { doc: feedOf(alice), counter: 2, body: body('two') }));
    expect(((await eq2.json()) as { error: { code: string } }).error.code).toBe('equivocation');
    const stored = await t.relay.ctx.store.docs.read(feedOf(alice), 0, 100);
    expect(stored.length).toBe(3);
    console.log(`[docs] pushes 7, stored ${stored.length}, duplicate 2, equivocation 2, late counter stored`);
  });

  it('BATCH-7: a range is one entry; its exact retry is a duplicate, a counter inside it equivocation; BATCH-4: only updates are ranges', async () => {
    const range = signTestEnvelope(alice, { doc: feedOf(alice), counter: 1, to: 5, body: body('one..five') });
    const r1 = await push(aliceToken, range);
    expect(r1.status).toBe(201);
    const { seq } = (await r1.json()) as { seq: number };
    const again = await push(aliceToken, range);
    expect(await again.json()).toMatchObject({ seq, duplicate: true });
    const inside = await push(aliceToken, signTestEnvelope(alice, { doc: feedOf(alice), counter: 3, body: body('3') }));
    expect(((await inside.json()) as { error: { code: string } }).error.code).toBe('equivocation');
    expect((await push(aliceToken, signTestEnvelope(alice, { doc: feedOf(alice), counter: 6, to: 9, body: body('6..9') }))).status).toBe(201);
    const member = await push(aliceToken, signTestEnvelope(alice, { doc: `members:${CONV}`, kind: 'member', counter: 1, to: 2, body: body('ops') }));
    expect(member.status).toBe(400);
    expect((await t.relay.ctx.store.docs.read(feedOf(alice), 0, 100)).length).toBe(2);
  });

  it('L1: only the owner appends to backup:<owner> (BAK-6, RLY-6)', async () => {
    const foreign = await push(bobToken, signTestEnvelope(bob, { doc: `backup:${alice.userId}`, counter: 1, body: body('x') }));
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('not_the_author');
    expect((await push(aliceToken, signTestEnvelope(alice, { doc: `backup:${alice.userId}`, counter: 1, body: body('x') }))).status).toBe(201);
  });

  it('rejects bad signatures, foreign envelopes and documents of another user before storing (RLY-5..7)', async () => {
    const good = signTestEnvelope(alice, { doc: feedOf(alice), counter: 1, body: body('x') });
    const tampered = good.slice();
    tampered[tampered.length - 70] = tampered[tampered.length - 70]! ^ 1;
    const codes: string[] = [];
    for (const [token, bytes] of [
      [aliceToken, tampered],
      [bobToken, good],
      [aliceToken, signTestEnvelope(alice, { doc: feedOf(bob), counter: 1, body: body('x') })],
      [aliceToken, new Uint8Array([1, 2, 3])],
      [aliceToken, signTestEnvelope(alice, { doc: `profile:${bob.userId}`, counter: 1, body: body('x') })],
    ] as const) {
      const r = await push(token, bytes);
      codes.push(((await r.json()) as { error: { code: string } }).error.code);
    }
    expect(codes).toEqual(['bad_signature', 'forbidden', 'not_the_author', 'malformed', 'not_the_author']);
    expect(await t.relay.ctx.store.docs.storedBytes()).toBe(0);
    expect((await push('nope', good)).status).toBe(401);
  });

  it('pull needs the read capability and pages by cursor (CAP-4, RLY-11)', async () => {
    for (let i = 1; i <= 25; i++) await push(aliceToken, signTestEnvelope(alice, { doc: feedOf(alice), counter: i, body: body(`m${i}`) }));
    expect((await pull(bobToken, feedOf(alice), 'after=0', 'guess')).status).toBe(403);
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'read-secret' })).status).toBe(200);
    expect((await pull(bobToken, feedOf(alice), 'after=0', 'wrong')).status).toBe(403);
    expect((await pull(bobToken, feedOf(alice), 'after=0')).status).toBe(403);
    const seen: number[] = [];
    let cursor = 0;
    for (;;) {
      const page = (await (await pull(bobToken, feedOf(alice), `after=${cursor}&limit=10`, 'read-secret')).json()) as Page;
      for (const e of page.entries) seen.push(e.seq);
      cursor = page.next;
      if (!page.more) break;
    }
    expect(seen.length).toBe(25);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect((await pull(bobToken, feedOf(alice), 'after=x', 'read-secret')).status).toBe(400);
    expect((await pull(bobToken, 'not a doc', 'after=0', 'read-secret')).status).toBe(400);
    console.log(`[docs] pulled ${seen.length} entries in pages of 10`);
  });

  it('CAP-1 feed chunks and the membership log share the scope conv:<c>; any other document is its own scope', async () => {
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'conv-read' })).status).toBe(200);
    for (const doc of [feedOf(alice), feedOf(bob, 7), `members:${CONV}`]) {
      expect((await pull(bobToken, doc, 'after=0', 'conv-read')).status, doc).toBe(200);
    }
    const profile = `profile:${alice.userId}`;
    expect((await pull(bobToken, profile, 'after=0', 'conv-read')).status).toBe(403);
    expect((await pull(bobToken, `feed:0190a1b2-0000-7000-8000-00000000c0a2:${alice.userId}:0`, 'after=0', 'conv-read')).status).toBe(403);
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: profile, readToken: 'profile-read' })).status).toBe(200);
    expect((await pull(bobToken, profile, 'after=0', 'profile-read')).status).toBe(200);
    expect((await pull(bobToken, feedOf(alice), 'after=0', 'profile-read')).status).toBe(403);
  });

  it('capabilities: write token, controllers, versions, owner-only and pair-only scopes (CAP-2/3)', async () => {
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'r', writeToken: 'w' })).status).toBe(200);
    const e = signTestEnvelope(alice, { doc: feedOf(alice), counter: 1, body: body('x') });
    expect((await push(aliceToken, e)).status).toBe(403);
    expect((await push(aliceToken, e, { 'x-kith-cap': 'w' })).status).toBe(201);
    // bob is not a controller; alice adds him in version 2; a stale version conflicts
    expect((await grantCapability(t.fetch, bobToken, bob, { scope: `conv:${CONV}`, version: 2, readToken: 'r2' })).status).toBe(403);
    const v2 = await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, version: 2, readToken: 'r2', controllers: [alice.signPublic, bob.signPublic] });
    expect(v2.status).toBe(200);
    expect((await grantCapability(t.fetch, bobToken, bob, { scope: `conv:${CONV}`, version: 2, readToken: 'r3' })).status).toBe(409);
    expect((await grantCapability(t.fetch, bobToken, bob, { scope: `conv:${CONV}`, version: 3, readToken: 'r3' })).status).toBe(200);
    // a user's own scopes can only be claimed by that user
    expect((await grantCapability(t.fetch, bobToken, bob, { scope: `profile:${alice.userId}`, readToken: 'x' })).status).toBe(403);
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: `profile:${alice.userId}`, readToken: 'x' })).status).toBe(200);
    // a direct conversation scope (UUIDv8 of the pair) only by one of the pair, naming the peer
    const { directConversationId, parseUserId } = await import('@kith/core');
    const direct = directConversationId(parseUserId(alice.userId), parseUserId(bob.userId));
    const carol = createTestIdentity('carol');
    const carolToken = await registerAndLogin(t.fetch, carol, 'carol');
    expect((await grantCapability(t.fetch, carolToken, carol, { scope: `conv:${direct}`, readToken: 'x', peer: bob.userId })).status).toBe(403);
    // carol squats the scope first (a v8 id without `peer` could be a group); alice, one of the
    // pair, takes it back with the pair proof; carol is then no controller
    expect((await grantCapability(t.fetch, carolToken, carol, { scope: `conv:${direct}`, readToken: 'squat' })).status).toBe(200);
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${direct}`, version: 2, readToken: 'x', peer: bob.userId })).status).toBe(200);
    expect((await grantCapability(t.fetch, carolToken, carol, { scope: `conv:${direct}`, version: 3, readToken: 'squat' })).status).toBe(403);
    // a group id (UUIDv8 too) is claimed first-come; an inbox (UUIDv4 of the user) only by its user
    expect((await grantCapability(t.fetch, carolToken, carol, { scope: 'conv:0190a1b2-0000-8000-8000-00000000abcd', readToken: 'g' })).status).toBe(200);
    const { inboxIdOf } = await import('../../services/capabilities.js');
    expect((await grantCapability(t.fetch, carolToken, carol, { scope: `conv:${inboxIdOf(alice.userId)}`, readToken: 'i' })).status).toBe(403);
    expect((await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${inboxIdOf(alice.userId)}`, readToken: 'i' })).status).toBe(200);
    const info = (await (await t.fetch(`/v1/caps/conv:${CONV}`, { headers: { authorization: `Bearer ${aliceToken}` } })).json()) as { version: number };
    expect(info.version).toBe(3);
  });

  it('a snapshot by the owner supersedes earlier entries; cursors before it get the snapshot (SNAP-1)', async () => {
    await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'r' });
    const seqs: number[] = [];
    for (let i = 1; i <= 10; i++) {
      const r = await push(aliceToken, signTestEnvelope(alice, { doc: feedOf(alice), counter: i, body: body(`u${i}`) }));
      seqs.push(((await r.json()) as { seq: number }).seq);
    }
    const snap = signTestEnvelope(alice, { doc: feedOf(alice), counter: 11, kind: 'snapshot', body: body('state@8') });
    const bad = await push(aliceToken, signTestEnvelope(alice, { doc: feedOf(alice), counter: 11, body: body('u11') }), { 'x-kith-supersedes': '8' });
    expect(bad.status).toBe(400);
    const r = await push(aliceToken, snap, { 'x-kith-supersedes': String(seqs[7]) });
    expect(r.status).toBe(201);
    const page = (await (await pull(bobToken, feedOf(alice), 'after=0&limit=100', 'r')).json()) as Page;
    expect(page.entries.map((e) => e.seq)).toEqual([seqs[8], seqs[9], ((await r.json()) as { seq: number }).seq]);
    expect(decodeBase64(page.entries[2]!.env)).toEqual(snap);
    console.log(`[docs] compaction: 10 updates + snapshot → ${page.entries.length} entries left`);
  });
});
