import { encodeBase64 } from '@kith/core/protocol';
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRelayStore } from '../store/postgres/index.js';
import { grantCapability, registerAndLogin } from '../testing/client.js';
import { createTestRelay, type TestRelay } from '../testing/fixture.js';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../testing/identity.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../testing/postgres-server.js';
import { openTestSocket, settle, type TestSocketClient } from '../testing/socket-pair.js';
import { createMemoryClusterBus, type MemoryClusterBus } from './cluster-bus.js';

const CONV = '0190a1b2-0000-7000-8000-00000000b311';
const DOC = `members:${CONV}`;
const SWEEP_MS = 2000;
const PER_WRITER = 30;

const unavailable = postgresUnavailable();
if (unavailable !== undefined) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)('RLY-34: fan-out across three instances through a doorbell bus, entries read from PostgreSQL', () => {
  let server: TestPostgres;
  let bus: MemoryClusterBus;
  const relays: TestRelay[] = [];
  const ids: TestIdentity[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    await sodium.ready;
    server = await startTestPostgres();
    bus = createMemoryClusterBus();
    for (let i = 0; i < 3; i++) {
      const store = await createPostgresRelayStore({ url: server.url, maxConnections: 4 });
      relays.push(await createTestRelay({ store, cluster: { bus: bus.join(), sweepMs: SWEEP_MS } }));
    }
    for (let i = 0; i < 3; i++) {
      ids.push(createTestIdentity(`fanout-${i}`));
      tokens.push(await registerAndLogin(relays[i]!.fetch, ids[i]!, `fanout${i}`));
    }
    expect((await grantCapability(relays[0]!.fetch, tokens[0]!, ids[0]!, { scope: `conv:${CONV}`, readToken: 'r' })).ok).toBe(true);
  });
  afterAll(async () => {
    for (const r of relays) await r.relay.shutdown();
    await server.stop();
  });

  /** Flush until `done()`: each round lets commits, store reads and bus messages run. Bounded. */
  async function until(done: () => boolean): Promise<void> {
    for (let round = 0; round < 5000 && !done(); round++) {
      for (const r of relays) await settle(r.relay, 1);
      await relays[0]!.relay.ctx.store.ping?.();
    }
    expect(done()).toBe(true);
  }

  async function connect(i: number): Promise<TestSocketClient> {
    const s = openTestSocket(relays[i]!.relay);
    s.send({ v: 1, t: 'auth', id: 0, token: tokens[i]! });
    await until(() => s.frames('authed').length === 1);
    return s;
  }

  it('subscribers on every instance get every entry in seq order, no gaps or repeats; a lost doorbell costs one sweep', async () => {
    const sockets = await Promise.all([0, 1, 2].map(connect));
    for (const s of sockets) s.send({ v: 1, t: 'sub', id: 1, doc: DOC, cap: 'r', after: 0 });
    await until(() => sockets.every((s) => s.frames('ok', 1).length === 1));

    let id = 10;
    for (let n = 1; n <= PER_WRITER; n++) {
      for (const [i, s] of sockets.entries()) {
        s.send({ v: 1, t: 'push', id: id++, env: encodeBase64(signTestEnvelope(ids[i]!, { doc: DOC, counter: n, body: new TextEncoder().encode(`w${i}-${n}`) })) });
      }
    }
    const total = 3 * PER_WRITER;
    const live = (s: TestSocketClient): number[] => s.entrySeqs();
    await until(() => sockets.every((s) => live(s).length >= total));
    const log = (await relays[1]!.relay.ctx.store.docs.read(DOC, 0, 10_000)).map((e) => e.seq);
    expect(log.length).toBe(total);
    for (const s of sockets) expect(live(s)).toEqual(log);

    // The bus loses a doorbell: the entry still arrives, at the next sweep.
    bus.dropping = true;
    sockets[0]!.send({ v: 1, t: 'push', id, env: encodeBase64(signTestEnvelope(ids[0]!, { doc: DOC, counter: PER_WRITER + 1, body: new TextEncoder().encode('lost bell') })) });
    await until(() => live(sockets[0]!).length === total + 1);
    for (let round = 0; round < 20; round++) for (const r of relays) await settle(r.relay, 1);
    expect(live(sockets[1]!).length).toBe(total);
    bus.dropping = false;
    for (const r of relays) r.clock.advance(SWEEP_MS);
    await until(() => sockets.every((s) => live(s).length === total + 1));
    const final = (await relays[2]!.relay.ctx.store.docs.read(DOC, 0, 10_000)).map((e) => e.seq);
    for (const s of sockets) expect(live(s)).toEqual(final);
    console.log(`[cluster-hub] 3 instances, 3 subscribers: ${total} live entries each in seq order; lost doorbell delivered by the sweep`);
  });

  it('presence and signals reach a user connected to another instance (RLY-20, RLY-21)', async () => {
    const [a, , c] = [await connect(0), undefined, await connect(2)];
    a.send({ v: 1, t: 'signal', id: 5, kind: 'offer', to: { user: ids[2]!.userId }, body: 'AQ==' });
    a.send({ v: 1, t: 'presence', id: 6, state: 'online', to: [ids[2]!.userId] });
    await until(() => c.frames('signal').length === 1 && c.frames('presence').length === 1);
    expect(a.frames('ok', 5).length).toBe(1);
    expect(c.frames('signal')[0]).toMatchObject({ kind: 'offer', from: { user: ids[0]!.userId }, body: 'AQ==' });
    expect(c.frames('presence')[0]).toMatchObject({ state: 'online', from: { user: ids[0]!.userId } });
  });

  it('a slow consumer on one instance does not stall the others: it is closed (1013), every other subscriber on every instance gets every entry', async () => {
    const sockets = await Promise.all([0, 1, 2].map(connect));
    let backlog = 0;
    const slow = openTestSocket(relays[0]!.relay, { bufferedAmount: () => backlog });
    slow.send({ v: 1, t: 'auth', id: 0, token: tokens[1]! });
    await until(() => slow.frames('authed').length === 1);
    const start = (await relays[0]!.relay.ctx.store.docs.read(DOC, 0, 10_000)).at(-1)?.seq ?? 0;
    for (const s of [...sockets, slow]) s.send({ v: 1, t: 'sub', id: 2, doc: DOC, cap: 'r', after: start });
    await until(() => [...sockets, slow].every((s) => s.frames('ok', 2).length === 1));
    // The slow reader stops reading: its send buffer is past the bound from now on.
    backlog = relays[0]!.relay.ctx.limits.maxBufferedBytes + 1;
    let id = 500;
    for (let n = 1; n <= 20; n++) {
      for (const [i, s] of sockets.entries()) {
        s.send({ v: 1, t: 'push', id: id++, env: encodeBase64(signTestEnvelope(ids[i]!, { doc: DOC, counter: 1000 + n, body: new TextEncoder().encode(`slow-${i}-${n}`) })) });
      }
    }
    const after = (s: TestSocketClient): number[] => s.entrySeqs(2).filter((q) => q > start);
    await until(() => sockets.every((s) => after(s).length === 60 && s.frames('ack').length === 20));
    const log = (await relays[2]!.relay.ctx.store.docs.read(DOC, start, 10_000)).map((e) => e.seq);
    expect(log.length).toBe(60);
    for (const s of sockets) expect(after(s)).toEqual(log);
    expect(slow.closed).toMatchObject({ code: 1013 });
    expect(after(slow).length).toBeLessThan(60);
    console.log(`[cluster-hub] slow consumer on instance A closed 1013 after ${after(slow).length} entries; 3 subscribers on A, B, C got ${log.length}/${log.length} in order`);
  });
});
