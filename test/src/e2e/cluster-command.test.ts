import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createKith,
  createMemoryStorage,
  createMemoryVault,
  createSodiumCrypto,
  createSyncClient,
  createWebSocketTransport,
  signUp,
  type CryptoPort,
  type Identity,
  type Kith,
  type SignalEvent,
  type SyncClient,
  type WebSocketConstructor,
} from '@kith/core';
import { createYjsBackend } from '@kith/core/yjs';
import { createManualClock, createSeededRandom } from '@kith/core/testing';
import { postgresUnavailable, redisUnavailable } from '@kith/relay/testing';

const root = resolve(import.meta.dirname, '../../..');
const unavailable = postgresUnavailable() ?? redisUnavailable();
if (unavailable !== undefined) console.warn(unavailable);

let cluster: ChildProcess | undefined;
let output = '';
const urls = new Map<string, string>();

/** Polls `check` until it holds or the deadline passes (real processes: the only place we wait on time). */
async function until(check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met before the deadline; cluster output: ${output.slice(-800)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  if (unavailable !== undefined) return;
  // The README's command, in its own process group: Ctrl-C in a terminal signals the whole group.
  cluster = spawn('pnpm', ['--filter', '@kith/relay', 'cluster', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  cluster.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  cluster.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until(() => output.includes('kith cluster ready'), 60_000);
  for (const m of output.matchAll(/instance ([A-Z]) listening on (http:\/\/[^\s]+)/g)) urls.set(m[1]!, m[2]!);
}, 90_000);

afterAll(async () => {
  if (cluster?.pid !== undefined && cluster.exitCode === null) {
    process.kill(-cluster.pid, 'SIGINT');
    await new Promise((r) => cluster!.once('exit', r));
  }
});

interface Device {
  identity: Identity;
  kith: Kith;
  sync: SyncClient;
}

async function device(crypto: CryptoPort, identity: Identity, name: string, url: string): Promise<Device> {
  const clock = createManualClock(Date.now());
  const random = createSeededRandom(`cluster-command:${name}`);
  const storage = createMemoryStorage();
  const kith = await createKith({ user: identity.userId, username: name, device: identity.device, backend: createYjsBackend(), clock, random, storage });
  const transport = createWebSocketTransport({ url, WebSocket: WebSocket as unknown as WebSocketConstructor });
  const sync = await createSyncClient({ kith, identity, crypto, transport, clock, random: random.fork('sync'), storage, vault: createMemoryVault(crypto), unsafeNoDecodeSandbox: true });
  sync.start();
  return { identity, kith, sync };
}

describe.skipIf(unavailable !== undefined)('the README cluster command (pnpm --filter @kith/relay cluster): PostgreSQL + Redis + 3 relays', () => {
  it('a user on instance A and a user on instance C exchange messages, presence, typing and a call signal; Ctrl-C stops everything', async () => {
    expect([...urls.keys()]).toEqual(['A', 'B', 'C']);
    const [a, c] = [urls.get('A')!, urls.get('C')!];
    for (const u of urls.values()) expect(await (await fetch(`${u}/health`)).json()).toMatchObject({ ok: true, database: 'ok', redis: 'ok' });
    const crypto = await createSodiumCrypto();
    const limits = { opsLimit: 1, memLimitBytes: 8 * 1024 * 1024 };
    const via = (url: string) => (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
    const run = Date.now().toString(36);
    const [an, cn] = [`ann_${run}`, `cyd_${run}`];
    const ann = await signUp({ crypto, fetch: via(a), username: an, password: 'correct horse', limits });
    const cyd = await signUp({ crypto, fetch: via(c), username: cn, password: 'battery staple', limits });
    if (!ann.ok || !cyd.ok) throw new Error('sign up failed');
    const onA = await device(crypto, ann.value, an, a);
    const onC = await device(crypto, cyd.value, cn, c);

    // Messages both ways.
    const cydId = await onA.sync.lookup(cn);
    if (!cydId.ok) throw cydId.error;
    await onA.kith.contacts.request(cydId.value);
    const direct = await onA.kith.conversations.openDirect(cydId.value);
    const hello = await onA.kith.messages.send(direct.id, 'hello from instance A');
    await until(async () => onC.kith.conversations.list().some((x) => x.id === direct.id) && (await onC.kith.messages.page(direct.id)).some((m) => m.id === hello.id));
    await onC.kith.contacts.accept(ann.value.userId);
    const reply = await onC.kith.messages.send(direct.id, 'hi from instance C');
    await until(async () => (await onA.kith.messages.page(direct.id)).some((m) => m.id === reply.id));
    await until(() => onA.sync.state === 'upToDate' && onC.sync.state === 'upToDate');

    // Presence A → C, typing A → C, a call offer C → A and its answer A → C.
    const presence: string[] = [];
    const atC: SignalEvent[] = [];
    const atA: SignalEvent[] = [];
    onC.sync.onPresence((e) => e.user === ann.value.userId && presence.push(e.state));
    onC.sync.onSignal((e) => atC.push(e));
    onA.sync.onSignal((e) => atA.push(e));
    onA.sync.setPresence('online', [cydId.value]);
    await until(() => presence.includes('online'));
    expect(onA.sync.signal(cydId.value, 'typing', new Uint8Array([1])).ok).toBe(true);
    await until(() => atC.some((e) => e.kind === 'typing'));
    expect(onC.sync.signal(ann.value.userId, 'offer', new TextEncoder().encode('v=0 sdp offer')).ok).toBe(true);
    await until(() => atA.some((e) => e.kind === 'offer'));
    expect(onA.sync.signal(cydId.value, 'answer', new TextEncoder().encode('v=0 sdp answer')).ok).toBe(true);
    await until(() => atC.some((e) => e.kind === 'answer'));
    expect(new TextDecoder().decode(atA.find((e) => e.kind === 'offer')!.payload)).toBe('v=0 sdp offer');
    expect(atC.find((e) => e.kind === 'typing')!.from).toBe(ann.value.userId);
    const texts = (await onC.kith.messages.page(direct.id)).map((m) => m.text);
    expect(texts).toEqual(['hello from instance A', 'hi from instance C']);
    console.log(`cluster-command: ${[...urls.values()].join(' ')}; A↔C messages ${texts.length}, presence ${presence.join('/')}, signals at C ${atC.map((e) => e.kind).join(',')}, at A ${atA.map((e) => e.kind).join(',')}`);
    for (const d of [onA, onC]) {
      await d.sync.stop();
      await d.kith.close();
    }

    // Ctrl-C: the relays drain, Redis and PostgreSQL stop, then the command exits (pnpm reports
    // its own code for an interrupted script; the launcher's last line says it stopped cleanly).
    const exit = new Promise<void>((r) => cluster!.once('exit', () => r()));
    process.kill(-cluster!.pid!, 'SIGINT');
    await exit;
    expect(output).toContain('kith cluster stopped');
    for (const u of urls.values()) await expect(fetch(`${u}/health`)).rejects.toThrow();
  }, 120_000);
});
