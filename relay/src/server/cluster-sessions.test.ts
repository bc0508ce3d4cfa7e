import { encodeBase64, encodeHex } from '@kith/core/protocol';
import { authSigningBytes } from '@kith/core';
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../ops/logger.js';
import { createPostgresRelayStore } from '../store/postgres/index.js';
import { grantCapability, registerAndLogin } from '../testing/client.js';
import { createTestRelay, type TestRelay } from '../testing/fixture.js';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../testing/identity.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../testing/postgres-server.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../testing/redis-server.js';
import { openTestSocket, settle, type TestSocketClient } from '../testing/socket-pair.js';
import { createRedisClusterBus, type RedisClusterBus } from './redis-bus.js';

const CONV = '0190a1b2-0000-7000-8000-00000000c5e5';
const DOC = `members:${CONV}`;
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const unavailable = postgresUnavailable() ?? redisUnavailable();
if (unavailable !== undefined) console.warn(unavailable);

/**
 * Two relay instances on one PostgreSQL and one Redis, no sticky routing: whatever one instance
 * issued, counted or stored holds at the other.
 */
describe.skipIf(unavailable !== undefined)('a cluster without sticky sessions (RLY-35..38)', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  const relays: TestRelay[] = [];
  const buses: RedisClusterBus[] = [];
  const ids: TestIdentity[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    await sodium.ready;
    pg = await startTestPostgres();
    redis = await startTestRedis();
    for (let i = 0; i < 2; i++) {
      const store = await createPostgresRelayStore({ url: pg.url, maxConnections: 4 });
      const bus = await createRedisClusterBus(redis.url, createMemoryLogger(), { helloMs: 200 });
      buses.push(bus);
      relays.push(await createTestRelay({ store, cluster: { bus }, limits: { ipRate: 1, ipBurst: 20 } }));
    }
    for (let i = 0; i < 3; i++) {
      ids.push(createTestIdentity(`nosticky-${i}`));
      tokens.push(await registerAndLogin(relays[i % 2]!.fetch, ids[i]!, `nosticky${i}`));
    }
    expect((await grantCapability(relays[0]!.fetch, tokens[0]!, ids[0]!, { scope: `conv:${CONV}`, readToken: 'r' })).ok).toBe(true);
  });
  afterAll(async () => {
    for (const r of relays) await r.relay.shutdown();
    await redis.stop();
    await pg.stop();
  });

  /** Flush until `done()`, each round waiting on a Redis round trip of every instance. Bounded. */
  async function until(done: () => boolean, rounds = 2000): Promise<boolean> {
    for (let round = 0; round < rounds && !done(); round++) {
      for (const r of relays) await settle(r.relay, 1);
      for (const b of buses) await b.ping();
    }
    return done();
  }
  async function connect(instance: number, who: number): Promise<TestSocketClient> {
    const s = openTestSocket(relays[instance]!.relay);
    s.send({ v: 1, t: 'auth', id: 0, token: tokens[who]! });
    expect(await until(() => s.frames('authed').length === 1)).toBe(true);
    return s;
  }
  const refill = (ms: number): void => {
    for (const r of relays) r.clock.advance(ms);
  };

  it('RLY-35: a challenge issued by A is answered at B, once; a session from B works at A', async () => {
    const [a, b] = relays as [TestRelay, TestRelay];
    refill(60_000);
    const id = ids[0]!;
    const ch = (await (await a.fetch('/v1/auth/challenge', json({ user: id.userId }))).json()) as { nonce: string };
    const signature = encodeHex(sodium.crypto_sign_detached(authSigningBytes(sodium.from_hex(ch.nonce), id.userId, id.device), id.signSecret));
    const answer = json({ user: id.userId, device: id.device, nonce: ch.nonce, signature });
    // The same answer at both instances at once: the nonce is consumed once across the cluster.
    const [atB, atA] = await Promise.all([b.fetch('/v1/auth/session', answer), a.fetch('/v1/auth/session', answer)]);
    expect([atB.status, atA.status].sort()).toEqual([201, 401]);
    const token = ((await (atB.status === 201 ? atB : atA).json()) as { token: string }).token;
    const s = openTestSocket(a.relay);
    s.send({ v: 1, t: 'auth', id: 0, token });
    expect(await until(() => s.frames('authed').length === 1)).toBe(true);
    s.close();
    console.log(`[no-sticky] challenge from A answered at B and A at once: ${atB.status}/${atA.status}; the session works at A`);
  });

  it('RLY-36: an address spreading requests over both instances gets one burst, not one per instance', async () => {
    refill(60_000);
    let admitted = 0;
    for (let n = 0; n < 40; n++) {
      const i = n % 2;
      const r = await relays[i]!.fetch('/v1/auth/challenge', json({ user: ids[2]!.userId }));
      if (r.status === 200) admitted++;
      else expect(r.status).toBe(429);
      // The background INCRBY of this request has its answer before the next request.
      await buses[i]!.ping();
    }
    // Alone, each instance would admit 20 of its 20: 40.
    expect(admitted).toBeGreaterThanOrEqual(20);
    expect(admitted).toBeLessThanOrEqual(21);
    console.log(`[no-sticky] ip burst 20, 40 requests alternating over 2 instances: ${admitted} admitted`);
  });

  it('RLY-37: signals and presence reach a user on the other instance, and the sender learns online/delivered across instances', async () => {
    const alice = await connect(0, 0);
    const bob = await connect(1, 1);
    refill(60_000);
    alice.send({ v: 1, t: 'signal', id: 5, kind: 'offer', to: { user: ids[1]!.userId }, body: 'AQ==' });
    alice.send({ v: 1, t: 'signal', id: 6, kind: 'typing', to: { user: ids[1]!.userId, device: ids[1]!.device }, body: 'Ag==' });
    alice.send({ v: 1, t: 'presence', id: 7, state: 'online', to: [ids[1]!.userId] });
    // Carol has no device anywhere: `offline`, though another instance is up.
    alice.send({ v: 1, t: 'signal', id: 8, kind: 'offer', to: { user: ids[2]!.userId }, body: 'AQ==' });
    expect(await until(() => alice.frames('ok', 7).length + alice.frames('error', 8).length === 2)).toBe(true);
    expect(alice.frames('ok', 5).length + alice.frames('ok', 6).length).toBe(2);
    expect(alice.frames('error', 8)[0]).toMatchObject({ code: 'offline' });
    expect(bob.frames('signal').map((f) => f.kind)).toEqual(['offer', 'typing']);
    expect(bob.frames('presence')[0]).toMatchObject({ state: 'online', from: { user: ids[0]!.userId } });
    expect(await relays[0]!.relay.hub.deliverToUser(ids[1]!.userId, undefined, JSON.stringify({ v: 1, t: 'pong', id: 1 }))).toEqual({ online: 1, delivered: 1 });
    // Bob leaves: his presence watchers hear it, and he is offline for the next signal.
    bob.close();
    alice.send({ v: 1, t: 'signal', id: 9, kind: 'offer', to: { user: ids[1]!.userId }, body: 'AQ==' });
    expect(await until(() => alice.frames('error', 9).length === 1)).toBe(true);
    expect(alice.frames('error', 9)[0]).toMatchObject({ code: 'offline' });
    alice.close();
    console.log('[no-sticky] signal, typing, presence A→B delivered; offline answered across instances');
  });

  it('RLY-37: a recipient that is not reading on the other instance is reported as dropped, not delivered', async () => {
    const alice = await connect(0, 0);
    let buffered = 0;
    const slow = openTestSocket(relays[1]!.relay, { bufferedAmount: () => buffered });
    slow.send({ v: 1, t: 'auth', id: 0, token: tokens[1]! });
    expect(await until(() => slow.frames('authed').length === 1)).toBe(true);
    // Past the ephemeral bound (M3), below the slow-consumer close.
    buffered = relays[1]!.relay.ctx.limits.maxEphemeralBufferedBytes + 1;
    refill(60_000);
    alice.send({ v: 1, t: 'signal', id: 5, kind: 'offer', to: { user: ids[1]!.userId }, body: 'AQ==' });
    expect(await until(() => alice.frames('error', 5).length === 1)).toBe(true);
    expect(alice.frames('error', 5)[0]).toMatchObject({ code: 'rate_limited' });
    expect(slow.frames('signal').length).toBe(0);
    expect(slow.closed).toBeUndefined();
    alice.close();
    slow.close();
  });

  it('RLY-38: a capability rotation at A ends the live subscription of a rotated-out token at B', async () => {
    const writer = await connect(0, 0);
    const reader = await connect(1, 2);
    reader.send({ v: 1, t: 'sub', id: 1, doc: DOC, cap: 'r', after: 0 });
    expect(await until(() => reader.frames('ok', 1).length === 1)).toBe(true);
    const push = (counter: number): void =>
      writer.send({ v: 1, t: 'push', id: 100 + counter, env: encodeBase64(signTestEnvelope(ids[0]!, { doc: DOC, counter, body: new TextEncoder().encode(`m${counter}`) })) });
    push(1);
    expect(await until(() => reader.entrySeqs().length === 1)).toBe(true);
    refill(60_000);
    const rotated = await grantCapability(relays[0]!.fetch, tokens[0]!, ids[0]!, { scope: `conv:${CONV}`, version: 2, readToken: 'r2' });
    expect(rotated.ok).toBe(true);
    expect(await until(() => reader.frames('error', 1).length === 1)).toBe(true);
    expect(reader.frames('error', 1)[0]).toMatchObject({ code: 'forbidden' });
    push(2);
    expect(await until(() => writer.frames('ack', 102).length === 1)).toBe(true);
    await until(() => false, 30);
    expect(reader.entrySeqs().length).toBe(1);
    writer.close();
    reader.close();
    console.log('[no-sticky] rotation at A: the subscriber at B was cut off (forbidden), the next entry not delivered');
  });
});
