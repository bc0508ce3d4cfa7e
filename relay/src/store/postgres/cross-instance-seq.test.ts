import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCapability, registerAndLogin } from '../../testing/client.js';
import { createTestRelay, type TestRelay } from '../../testing/fixture.js';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../../testing/identity.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../../testing/postgres-server.js';
import { createPostgresRelayStore } from './index.js';

const CONV = '0190a1b2-0000-7000-8000-00000000a5e1';
const DOC = `members:${CONV}`;
const READ = 'hammer-read-token';
const INSTANCES = 3;
const WRITERS_PER_INSTANCE = 3;
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';
const PER_WRITER = Number(process.env['HAMMER_PER_WRITER'] ?? (CI ? 60 : 120));
/** Pushes each writer keeps in flight: several per instance land in one group commit. */
const IN_FLIGHT = 4;

interface Page {
  entries: { seq: number; env: string }[];
  next: number;
  more: boolean;
}

const unavailable = postgresUnavailable();
if (unavailable !== undefined) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)('RLY-30: one document hammered from three relay instances on one PostgreSQL', () => {
  let server: TestPostgres;
  const relays: TestRelay[] = [];
  beforeAll(async () => {
    await sodium.ready;
    server = await startTestPostgres();
    for (let i = 0; i < INSTANCES; i++) relays.push(await createTestRelay({ store: await createPostgresRelayStore({ url: server.url, maxConnections: 6 }) }));
  });
  afterAll(async () => {
    for (const r of relays) await r.relay.shutdown();
    await server.stop();
  });

  it('every reader sees a gap-free, commit-ordered seq; every ack is stored once', async () => {
    // Accounts and sessions live in PostgreSQL: a token from one instance works on all (RLY-33).
    const owner = createTestIdentity('hammer-owner');
    const ownerToken = await registerAndLogin(relays[0]!.fetch, owner, 'hammerowner');
    expect((await grantCapability(relays[1]!.fetch, ownerToken, owner, { scope: `conv:${CONV}`, readToken: READ })).ok).toBe(true);

    const writers: { id: TestIdentity; token: string; relay: TestRelay }[] = [];
    for (let i = 0; i < INSTANCES * WRITERS_PER_INSTANCE; i++) {
      const id = createTestIdentity(`hammer-writer-${i}`);
      const relay = relays[i % INSTANCES]!;
      writers.push({ id, token: await registerAndLogin(relay.fetch, id, `hammer${i}`), relay });
    }

    // Readers wake on acks (no polling timer): each ack resolves the current `progress` promise.
    let wake: () => void = () => undefined;
    let progress = new Promise<void>((r) => (wake = r));
    const ackNow = (): void => {
      wake();
      progress = new Promise<void>((r) => (wake = r));
    };

    const acked = new Map<number, string>();
    let duplicates = 0;
    let writing = true;
    const started = performance.now();

    async function writer(w: (typeof writers)[number], lane: number): Promise<void> {
      for (let counter = 1 + lane; counter <= PER_WRITER; counter += IN_FLIGHT) {
        const bytes = signTestEnvelope(w.id, { doc: DOC, counter, body: new TextEncoder().encode(`${w.id.userId}:${counter}`) });
        const res = await w.relay.fetch('/v1/docs', { method: 'POST', headers: { authorization: `Bearer ${w.token}` }, body: bytes as Uint8Array<ArrayBuffer> });
        expect(res.status).toBe(201);
        const ack = (await res.json()) as { seq: number; duplicate: boolean };
        if (ack.duplicate) duplicates++;
        expect(acked.has(ack.seq)).toBe(false);
        acked.set(ack.seq, Buffer.from(bytes).toString('base64'));
        ackNow();
      }
    }

    let pulls = 0;
    async function reader(relay: TestRelay): Promise<number[]> {
      const seen: number[] = [];
      let after = 0;
      for (;;) {
        const done = !writing;
        const waitFor = progress;
        const res = await relay.fetch(`/v1/docs/${encodeURIComponent(DOC)}?after=${after}&limit=50`, {
          headers: { authorization: `Bearer ${ownerToken}`, 'x-kith-cap': READ },
        });
        pulls++;
        const page = (await res.json()) as Page;
        for (const e of page.entries) {
          // Commit order: a later pull never returns a seq at or below one already seen.
          expect(e.seq).toBeGreaterThan(after);
          seen.push(e.seq);
          after = e.seq;
        }
        if (page.more) continue;
        if (done) return seen;
        if (page.entries.length === 0) await waitFor;
      }
    }

    const readers = relays.map((r) => reader(r));
    await Promise.all(writers.flatMap((w) => Array.from({ length: IN_FLIGHT }, (_, lane) => writer(w, lane))));
    const elapsed = performance.now() - started;
    writing = false;
    ackNow();
    const views = await Promise.all(readers);

    const log = await relays[2]!.relay.ctx.store.docs.read(DOC, 0, 100_000);
    const total = writers.length * PER_WRITER;
    expect(acked.size).toBe(total);
    expect(duplicates).toBe(0);
    expect(log.length).toBe(total);
    // Nothing acknowledged is lost, nothing is stored twice, bytes are the acked bytes.
    for (const e of log) expect(acked.get(e.seq)).toBe(Buffer.from(e.bytes).toString('base64'));
    // Gap-free: each reader, pulling while the writers ran, saw exactly the final log, in order.
    const finalSeqs = log.map((e) => e.seq);
    for (const v of views) expect(v).toEqual(finalSeqs);
    const batches = relays.map((r) => r.relay.docs.committer.batches);
    console.log(
      `[hammer] ${INSTANCES} instances, ${writers.length} writers x ${PER_WRITER} (${IN_FLIGHT} in flight each) on one document: ` +
        `${total} acked in ${elapsed.toFixed(0)} ms (${((total / elapsed) * 1000).toFixed(0)} acks/s), group commits per instance ${batches.join('/')}, ` +
        `${pulls} reader pulls, 0 lost, 0 duplicated, 0 reordered`,
    );
  });
});
