import { encodeBase64 } from '@kith/core/protocol';
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
import { createRedisClusterBus } from './redis-bus.js';

const CONV = '0190a1b2-0000-7000-8000-00000000e0d1';
const DOC = `members:${CONV}`;
const SWEEP_MS = 2000;

const unavailable = postgresUnavailable() ?? redisUnavailable();
if (unavailable !== undefined) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)('RLY-34 on a real Redis: two instances, Redis killed and restarted', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  const relays: TestRelay[] = [];
  const ids: TestIdentity[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    await sodium.ready;
    pg = await startTestPostgres();
    redis = await startTestRedis();
    for (let i = 0; i < 2; i++) {
      const store = await createPostgresRelayStore({ url: pg.url, maxConnections: 4 });
      const bus = await createRedisClusterBus(redis.url, createMemoryLogger());
      relays.push(await createTestRelay({ store, cluster: { bus, sweepMs: SWEEP_MS } }));
      ids.push(createTestIdentity(`redis-${i}`));
      tokens.push(await registerAndLogin(relays[i]!.fetch, ids[i]!, `redis${i}`));
    }
    expect((await grantCapability(relays[0]!.fetch, tokens[0]!, ids[0]!, { scope: `conv:${CONV}`, readToken: 'r' })).ok).toBe(true);
  });
  afterAll(async () => {
    for (const r of relays) await r.relay.shutdown();
    await redis.stop();
    await pg.stop();
  });

  /** Flush until `done()`, each round also waiting on a database round trip (real I/O). Bounded. */
  async function until(done: () => boolean, rounds = 3000): Promise<boolean> {
    for (let round = 0; round < rounds && !done(); round++) {
      for (const r of relays) await settle(r.relay, 1);
      await relays[0]!.relay.ctx.store.ping?.();
    }
    return done();
  }

  it('delivers through the doorbell, falls back to the sweep while Redis is down, and resumes after its restart', async () => {
    const sockets: TestSocketClient[] = [];
    for (let i = 0; i < 2; i++) {
      const s = openTestSocket(relays[i]!.relay);
      s.send({ v: 1, t: 'auth', id: 0, token: tokens[i]! });
      expect(await until(() => s.frames('authed').length === 1)).toBe(true);
      sockets.push(s);
    }
    const [a, b] = sockets as [TestSocketClient, TestSocketClient];
    b.send({ v: 1, t: 'sub', id: 1, doc: DOC, cap: 'r', after: 0 });
    expect(await until(() => b.frames('ok', 1).length === 1)).toBe(true);
    const push = (counter: number): void =>
      a.send({ v: 1, t: 'push', id: 100 + counter, env: encodeBase64(signTestEnvelope(ids[0]!, { doc: DOC, counter, body: new TextEncoder().encode(`m${counter}`) })) });
    const seen = (): number => b.entrySeqs().length;

    expect(await (await relays[1]!.fetch('/health')).json()).toMatchObject({ ok: true, database: 'ok', redis: 'ok' });
    push(1);
    expect(await until(() => seen() === 1)).toBe(true);

    await redis.kill();
    const down = (await (await relays[1]!.fetch('/health')).json()) as { ok: boolean; redis: string };
    expect(down).toMatchObject({ ok: true, redis: 'unreachable' });
    push(2);
    push(3);
    expect(await until(() => a.frames('ack').length === 3)).toBe(true);
    expect(seen()).toBe(1);
    for (const r of relays) r.clock.advance(SWEEP_MS);
    expect(await until(() => seen() === 3)).toBe(true);

    await redis.restart();
    expect(await until(() => false, 200)).toBe(false); // let both clients reconnect
    let reconnected = false;
    for (let tries = 0; tries < 50 && !reconnected; tries++) {
      const h = (await (await relays[0]!.fetch('/health')).json()) as { redis: string };
      reconnected = h.redis === 'ok' && ((await (await relays[1]!.fetch('/health')).json()) as { redis: string }).redis === 'ok';
      if (!reconnected) await until(() => false, 50);
    }
    expect(reconnected).toBe(true);
    push(4);
    expect(await until(() => seen() === 4)).toBe(true);
    const log = (await relays[1]!.relay.ctx.store.docs.read(DOC, 0, 100)).map((e) => e.seq);
    expect(b.entrySeqs()).toEqual(log);
    console.log(`[redis] doorbell delivery, Redis killed: 2 entries by the sweep, restarted: doorbell again; subscriber saw ${log.length}/${log.length} in order`);
  });
});
