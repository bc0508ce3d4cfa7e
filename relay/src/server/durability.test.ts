import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeBase64 } from '@kith/core/protocol';
import { createSqliteRelayStore } from '../store/sqlite/index.js';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../testing/identity.js';
import { registerAndLogin, type RelayFetch } from '../testing/client.js';
import { startChildRelay, type ChildRelay } from './child-relay.js';

const CONV = '0190a1b2-0000-7000-8000-00000000d0a1';
const CLIENTS = 16;
// CI (CI=true) runs a shorter pass (~20 s on 2 cores); by hand the default is the long one, and
// DURABILITY_PER_CLIENT / DURABILITY_KILLS go further. The assertions are the same for both.
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';
const PER_CLIENT = Number(process.env['DURABILITY_PER_CLIENT'] ?? (CI ? 60 : 150));
const KILLS = Number(process.env['DURABILITY_KILLS'] ?? (CI ? 2 : 4));

describe('durability: a child-process relay killed with SIGKILL while clients push (RLY-10)', () => {
  it('loses 0 acknowledged envelopes and stores 0 duplicates', async () => {
    await sodium.ready;
    const dataDir = mkdtempSync(join(tmpdir(), 'kith-durability-'));
    let relay: ChildRelay = await startChildRelay(dataDir);
    let generation = 0;
    const f: RelayFetch = (path, init) => fetch(`${relay.url}${path}`, init);
    const ids: TestIdentity[] = Array.from({ length: CLIENTS }, (_, i) => createTestIdentity(`durable-${i}`));
    const tokens: string[] = [];
    for (const [i, id] of ids.entries()) tokens.push(await registerAndLogin(f, id, `durable${i}`));

    const acked = ids.map(() => new Map<number, number>());
    let ackedTotal = 0;
    let retries = 0;
    let restarting: Promise<void> | undefined;
    // The killer waits for acks on the acks themselves (no polling): each ack wakes it to re-check.
    let wake: () => void = () => undefined;
    const ackedAtLeast = (n: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const check = (): void => (ackedTotal >= n ? resolve() : void (wake = check));
        check();
      });

    async function client(i: number): Promise<void> {
      const id = ids[i]!;
      const doc = `feed:${CONV}:${id.userId}:0`;
      for (let counter = 1; counter <= PER_CLIENT; ) {
        const bytes = signTestEnvelope(id, { doc, counter, body: new TextEncoder().encode(`c${i}-${counter}`) });
        try {
          const res = await fetch(`${relay.url}/v1/docs`, { method: 'POST', headers: { authorization: `Bearer ${tokens[i]!}` }, body: bytes as Uint8Array<ArrayBuffer> });
          if (res.status !== 200 && res.status !== 201) throw new Error(`push ${res.status} ${await res.text()}`);
          const ack = (await res.json()) as { seq: number };
          acked[i]!.set(counter, ack.seq);
          ackedTotal++;
          wake();
          counter++;
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('push ')) throw error;
          retries++;
          // Wait for the restart in progress, if any; a failure outside a kill (a reset socket on a
          // loaded machine) is simply retried after a moment — never wait for a kill that is not coming.
          await (restarting ?? new Promise((r) => setTimeout(r, 20)));
        }
      }
    }

    async function killer(): Promise<void> {
      const step = Math.floor((CLIENTS * PER_CLIENT) / (KILLS + 1));
      for (let k = 1; k <= KILLS; k++) {
        await ackedAtLeast(k * step);
        let done!: () => void;
        restarting = new Promise<void>((r) => (done = r));
        const oldUrl = relay.url;
        relay.child.kill('SIGKILL');
        expect(await relay.exited).toBe('SIGKILL');
        // the killed process really is gone: its port refuses connections
        await expect(fetch(`${oldUrl}/health`)).rejects.toThrow();
        relay = await startChildRelay(dataDir);
        generation++;
        restarting = undefined;
        done();
      }
    }

    const started = Date.now();
    try {
      await Promise.all([...ids.map((_, i) => client(i)), killer()]);
    } finally {
      relay.child.kill('SIGTERM');
      await relay.exited;
    }

    const store = createSqliteRelayStore({ dataDir });
    let lost = 0;
    let duplicated = 0;
    let stored = 0;
    for (const [i, id] of ids.entries()) {
      const entries = await store.docs.read(`feed:${CONV}:${id.userId}:0`, 0, 1e9);
      stored += entries.length;
      const bySeq = new Map(entries.map((e) => [e.seq, e.bytes]));
      const counters = new Map<string, number>();
      for (const e of entries) {
        const text = new TextDecoder().decode(e.bytes.subarray(e.bytes.length - 64 - 12, e.bytes.length - 64));
        counters.set(text, (counters.get(text) ?? 0) + 1);
      }
      for (const n of counters.values()) if (n > 1) duplicated += n - 1;
      for (const [counter, seq] of acked[i]!) {
        const bytes = bySeq.get(seq);
        if (bytes === undefined || !new TextDecoder().decode(bytes).includes(`c${i}-${counter}`)) lost++;
      }
    }
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(
      `[durability] clients=${CLIENTS} acked=${ackedTotal} stored=${stored} kills=${generation} retries=${retries} lost=${lost} duplicated=${duplicated} in ${Date.now() - started} ms`,
    );
    expect(generation).toBe(KILLS);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(stored).toBe(CLIENTS * PER_CLIENT);
  }, 120_000);

  it('a burst pipelined over one WebSocket: every ack is durable across SIGKILL mid-burst (RLY-10, RLY-25)', async () => {
    await sodium.ready;
    const dataDir = mkdtempSync(join(tmpdir(), 'kith-durability-burst-'));
    let relay: ChildRelay = await startChildRelay(dataDir, { KITH_CONN_RATE: '1000000', KITH_ACCOUNT_RATE: '1000000' });
    const f: RelayFetch = (path, init) => fetch(`${relay.url}${path}`, init);
    const id = createTestIdentity('durable-burst');
    const token = await registerAndLogin(f, id, 'durableburst');
    const doc = `feed:${CONV}:${id.userId}:0`;
    const BURST = CI ? 400 : 1500;
    const encoded = Array.from({ length: BURST }, (_, i) => encodeBase64(signTestEnvelope(id, { doc, counter: i + 1, body: new TextEncoder().encode(`<burst-${i + 1}>`) })));
    /** counter → seq of every ack received, across all generations. */
    const acked = new Map<number, number>();
    let kills = 0;

    /**
     * Streams every counter not acked yet with `WINDOW` pushes in flight and resolves when the
     * socket closes; with `killAfter`, SIGKILLs the relay as soon as that many new acks arrived,
     * so a window of pushes is in flight (some committed, none of those acked) at the kill.
     */
    const WINDOW = 64;
    const burst = (killAfter: number | undefined): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/v1/ws`);
        const todo = Array.from({ length: BURST }, (_, i) => i + 1).filter((c) => !acked.has(c));
        let next = 0;
        let fresh = 0;
        const sendNext = (): void => {
          const c = todo[next++];
          if (c !== undefined) ws.send(JSON.stringify({ v: 1, t: 'push', id: c, env: encoded[c - 1] }));
        };
        ws.on('error', () => undefined);
        ws.on('close', () => resolve());
        ws.on('message', (d: Buffer) => {
          const fr = JSON.parse(d.toString('utf8')) as { t: string; id?: number; seq?: number; code?: string };
          if (fr.t === 'hello') return ws.send(JSON.stringify({ v: 1, t: 'auth', id: 0, token }));
          if (fr.t === 'authed') {
            for (let k = 0; k < WINDOW; k++) sendNext();
            return;
          }
          if (fr.t === 'error') return reject(new Error(`push ${fr.id} refused: ${fr.code}`));
          if (fr.t !== 'ack' || fr.id === undefined || fr.seq === undefined) return;
          const before = acked.get(fr.id);
          if (before !== undefined && before !== fr.seq) reject(new Error(`counter ${fr.id} acked as seq ${before}, then ${fr.seq}`));
          if (before === undefined) fresh++;
          acked.set(fr.id, fr.seq);
          if (killAfter !== undefined && fresh === killAfter) {
            relay.child.kill('SIGKILL');
            kills++;
            return;
          }
          if (acked.size === BURST) ws.close();
          else sendNext();
        });
      });

    try {
      // Two kills, each after a share of the outstanding pushes was acknowledged (a window more in flight).
      for (const fraction of [3, 2]) {
        await burst(Math.floor((BURST - acked.size) / fraction));
        expect(await relay.exited).toBe('SIGKILL');
        relay = await startChildRelay(dataDir, { KITH_CONN_RATE: '1000000', KITH_ACCOUNT_RATE: '1000000' });
      }
      await burst(undefined);
    } finally {
      relay.child.kill('SIGTERM');
      await relay.exited;
    }

    const store = createSqliteRelayStore({ dataDir });
    const entries = await store.docs.read(doc, 0, 1e9);
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    const bySeq = new Map(entries.map((e) => [e.seq, new TextDecoder().decode(e.bytes)]));
    let lost = 0;
    for (const [counter, seq] of acked) if (!(bySeq.get(seq)?.includes(`<burst-${counter}>`) ?? false)) lost++;
    console.log(`[durability] burst of ${BURST} over one socket, ${kills} SIGKILLs mid-burst: acked=${acked.size} stored=${entries.length} lost=${lost}`);
    expect(kills).toBe(2);
    expect(acked.size).toBe(BURST);
    expect(lost).toBe(0);
    expect(entries.length).toBe(BURST);
  }, 120_000);
});
