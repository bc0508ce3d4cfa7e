import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import { createPostgresRelayStore } from '../store/postgres/index.js';
import { grantCapability, registerAndLogin, type RelayFetch } from '../testing/client.js';
import { createTestIdentity, signTestEnvelope } from '../testing/identity.js';
import { postgresUnavailable, startTestPostgres } from '../testing/postgres-server.js';
import { startChildRelay, type ChildRelay } from './child-relay.js';

const CONV = '0190a1b2-0000-7000-8000-00000000c1a5';
const DOC = `members:${CONV}`;
const INSTANCES = 3;
const CLIENTS = 9;
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';
const PER_CLIENT = Number(process.env['CLUSTER_PER_CLIENT'] ?? (CI ? 40 : 100));

const unavailable = postgresUnavailable();
if (unavailable !== undefined) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)('cluster: three relay processes on one PostgreSQL, one killed with SIGKILL mid-burst (RLY-10, RLY-30, RLY-33)', () => {
  it('its clients fail over to the others with their sessions; 0 acknowledged lost or duplicated', async () => {
    await sodium.ready;
    const pg = await startTestPostgres();
    const dirs = Array.from({ length: INSTANCES }, () => mkdtempSync(join(tmpdir(), 'kith-cluster-')));
    const env = { KITH_DATABASE_URL: pg.url, KITH_ACCOUNT_RATE: '0', KITH_CONN_RATE: '0' };
    const relays: ChildRelay[] = [];
    const alive = new Set<number>();
    try {
      for (let i = 0; i < INSTANCES; i++) {
        relays.push(await startChildRelay(dirs[i]!, env));
        alive.add(i);
      }
      const at =
        (i: number): RelayFetch =>
        (path, init) =>
          fetch(`${relays[i]!.url}${path}`, init);
      const health = (await (await at(0)('/health')).json()) as { database: string; durability: string };
      expect(health).toMatchObject({ database: 'ok', durability: 'postgresql-synchronous_commit=on' });

      const owner = createTestIdentity('cluster-owner');
      const ownerToken = await registerAndLogin(at(0), owner, 'clusterowner');
      expect((await grantCapability(at(1), ownerToken, owner, { scope: `conv:${CONV}`, readToken: 'r' })).ok).toBe(true);
      const ids = Array.from({ length: CLIENTS }, (_, i) => createTestIdentity(`cluster-${i}`));
      const tokens: string[] = [];
      for (const [i, id] of ids.entries()) tokens.push(await registerAndLogin(at(i % INSTANCES), id, `cluster${i}`));

      const acked = ids.map(() => new Map<number, number>());
      let ackedTotal = 0;
      let failovers = 0;
      let duplicatesAcked = 0;
      let killed: Promise<void> | undefined;
      const VICTIM = 1;
      const KILL_AT = Math.round((CLIENTS * PER_CLIENT) / 3);
      let reachKillPoint!: () => void;
      const killPoint = new Promise<void>((r) => (reachKillPoint = r));

      async function client(i: number): Promise<void> {
        let home = i % INSTANCES;
        for (let counter = 1; counter <= PER_CLIENT; ) {
          const bytes = signTestEnvelope(ids[i]!, { doc: DOC, counter, body: new TextEncoder().encode(`c${i}-${counter}`) });
          try {
            const res = await at(home)('/v1/docs', { method: 'POST', headers: { authorization: `Bearer ${tokens[i]!}` }, body: bytes as Uint8Array<ArrayBuffer> });
            if (res.status !== 200 && res.status !== 201) throw new Error(`push ${res.status} ${await res.text()}`);
            const ack = (await res.json()) as { seq: number; duplicate: boolean };
            if (ack.duplicate) duplicatesAcked++;
            acked[i]!.set(counter, ack.seq);
            if (++ackedTotal === KILL_AT) reachKillPoint();
            counter++;
          } catch (error) {
            if (error instanceof Error && error.message.startsWith('push ')) throw error;
            // The instance is gone (or the socket reset): wait for the kill to finish, then retry
            // the same envelope on the next live instance with the same session token.
            await killed;
            if (!alive.has(home)) {
              home = [...alive][i % alive.size]!;
              failovers++;
            }
          }
        }
      }

      async function killer(): Promise<void> {
        await killPoint;
        let done!: () => void;
        killed = new Promise<void>((r) => (done = r));
        alive.delete(VICTIM);
        relays[VICTIM]!.child.kill('SIGKILL');
        expect(await relays[VICTIM]!.exited).toBe('SIGKILL');
        done();
      }

      const started = Date.now();
      await Promise.all([...ids.map((_, i) => client(i)), killer()]);
      const elapsed = Date.now() - started;

      const store = await createPostgresRelayStore({ url: pg.url, maxConnections: 1 });
      const log = await store.docs.read(DOC, 0, 1e6);
      await store.close();
      const bySeq = new Map(log.map((e) => [e.seq, new TextDecoder().decode(e.bytes)]));
      let lost = 0;
      for (const [i, byCounter] of acked.entries()) {
        let prev = 0;
        for (const [counter, seq] of [...byCounter].sort((a, b) => a[0] - b[0])) {
          if (!(bySeq.get(seq) ?? '').includes(`c${i}-${counter}`)) lost++;
          // One client pushes in order: its seqs follow its counters, across instances too.
          expect(seq).toBeGreaterThan(prev);
          prev = seq;
        }
      }
      const bodies = new Set(log.map((e) => Buffer.from(e.bytes).toString('base64')));
      console.log(
        `[cluster] ${INSTANCES} relays on PostgreSQL, ${CLIENTS} clients x ${PER_CLIENT}, instance ${VICTIM} SIGKILLed at ${KILL_AT} acks: ` +
          `acked=${ackedTotal} stored=${log.length} failovers=${failovers} duplicate-acks=${duplicatesAcked} lost=${lost} in ${elapsed} ms`,
      );
      expect(lost).toBe(0);
      expect(log.length).toBe(CLIENTS * PER_CLIENT);
      expect(bodies.size).toBe(log.length);
      expect(failovers).toBeGreaterThan(0);
    } finally {
      for (const i of alive) relays[i]?.child.kill('SIGTERM');
      await Promise.all([...alive].map((i) => relays[i]!.exited));
      await pg.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }, 180_000);
});
