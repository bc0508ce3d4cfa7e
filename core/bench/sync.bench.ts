// Sync benchmarks (issue 6): send → decrypted-at-recipient latency through the in-process relay
// and through a real relay child process over WebSockets (p50/p99), sustained messages/s from one
// sender, and catch-up time for a device N messages behind (default 10,000; SYNC_BENCH_CATCHUP).
// Run: pnpm --filter @kith/core bench sync
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { createMemoryHarness, type InProcessHarness } from '../../test/src/harness/presets.js';
import { signUp } from '../src/account/index.js';
import { createCrdtBackend } from '../src/crdt/index.js';
import { createSodiumCrypto, type Identity } from '../src/crypto/index.js';
import type { ConversationId, MessageId, UserId } from '../src/ids.js';
import { createKith, type Kith } from '../src/kith.js';
import { createMemoryStorage } from '../src/storage/memory/memory-storage.js';
import { createSyncClient } from '../src/sync/index.js';
import { createMemoryVault } from '../src/vault/index.js';
import { createManualClock, createSeededRandom } from '../src/testing/index.js';
import { createWebSocketTransport, type WebSocketConstructor } from '../src/transport/index.js';

// core does not depend on `ws` (browsers have WebSocket; Node 20 does not): borrow the relay's.
const WebSocket = createRequire(new URL('../../relay/package.json', import.meta.url))('ws') as WebSocketConstructor;

const LATENCY_SAMPLES = Number(process.env['SYNC_BENCH_SAMPLES'] ?? 200);
const SUSTAINED = Number(process.env['SYNC_BENCH_SUSTAINED'] ?? 2000);
const CATCHUP = Number(process.env['SYNC_BENCH_CATCHUP'] ?? 10_000);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number): string => `${x.toFixed(2)} ms`;

function arrivals(kith: Kith): Map<MessageId, number> {
  const seen = new Map<MessageId, number>();
  kith.on('message', (e) => void seen.set(e.message.id, performance.now()));
  return seen;
}

async function groupOf(world: InProcessHarness): Promise<{ conv: ConversationId; bob: UserId }> {
  const alice = await world.addPeer('alice');
  await world.addPeer('bob');
  const bob = await alice.sync.lookup('bob');
  if (!bob.ok) throw bob.error;
  const g = await alice.kith.groups.create({ name: 'bench', members: [bob.value] });
  await world.flush();
  return { conv: g.id, bob: bob.value };
}

async function inProcess(): Promise<{ p50: number; p99: number; rate: number; catchup: number }> {
  const world = await createMemoryHarness('sync-bench');
  const { conv } = await groupOf(world);
  const alice = world.peer('alice');
  const bob = world.peer('bob');
  const seen = arrivals(bob.kith);
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t0 = performance.now();
    const m = await alice.kith.messages.send(conv, `latency ${i}`);
    while (!seen.has(m.id)) await world.flush();
    lat.push(seen.get(m.id)! - t0);
  }
  const t1 = performance.now();
  let last: MessageId | undefined;
  for (let i = 0; i < SUSTAINED; i++) last = (await alice.kith.messages.send(conv, `sustained ${i}`)).id;
  while (last !== undefined && !seen.has(last)) await world.flush();
  const rate = SUSTAINED / ((performance.now() - t1) / 1000);
  await bob.sync.stop();
  for (let i = 0; i < CATCHUP; i++) last = (await alice.kith.messages.send(conv, `catch-up ${i}`)).id;
  await world.flush();
  const t2 = performance.now();
  const back = await world.restart('bob');
  const seenBack = arrivals(back.kith);
  while (last !== undefined && !seenBack.has(last)) await world.flush();
  const catchup = performance.now() - t2;
  await world.close();
  return { p50: pct(lat, 50), p99: pct(lat, 99), rate, catchup };
}

async function realRelay(): Promise<{ p50: number; p99: number }> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dataDir = mkdtempSync(join(tmpdir(), 'kith-bench-relay-'));
  const child = spawn(join(root, 'relay/node_modules/.bin/tsx'), ['--conditions=@kith/source', 'relay/src/main.ts', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((res, rej) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m?.[1] !== undefined) res(m[1].replace('localhost', '127.0.0.1'));
      });
      child.on('exit', (c) => rej(new Error(`relay exited ${c}`)));
    });
    const crypto = await createSodiumCrypto();
    const f = (p: string, i?: RequestInit): Promise<Response> => fetch(`${url}${p}`, i);
    const open = async (identity: Identity, name: string): Promise<{ kith: Kith; stop: () => Promise<void>; lookup: (n: string) => Promise<UserId> }> => {
      const clock = createManualClock(Date.now());
      const storage = createMemoryStorage();
      const random = createSeededRandom(name);
      const kith = await createKith({ user: identity.userId, username: name, device: identity.device, backend: createCrdtBackend('yjs'), clock, random, storage });
      const transport = createWebSocketTransport({ url, WebSocket });
      const sync = await createSyncClient({ kith, identity, crypto, transport, clock, random: random.fork('s'), storage, vault: createMemoryVault(crypto), unsafeNoDecodeSandbox: true });
      sync.start();
      return {
        kith,
        stop: async () => {
          await sync.stop();
          await kith.close();
        },
        lookup: async (n) => {
          const r = await sync.lookup(n);
          if (!r.ok) throw r.error;
          return r.value;
        },
      };
    };
    const run = Date.now().toString(36);
    const limits = { opsLimit: 1, memLimitBytes: 8 * 1024 * 1024 };
    const a = await signUp({ crypto, fetch: f, username: `ba_${run}`, password: 'p', limits });
    const b = await signUp({ crypto, fetch: f, username: `bb_${run}`, password: 'p', limits });
    if (!a.ok || !b.ok) throw new Error('sign up failed');
    const alice = await open(a.value, `ba_${run}`);
    const bob = await open(b.value, `bb_${run}`);
    // A direct chat: the relay cannot yet issue capabilities for group scopes (ADR 0009 § limits).
    const g = await alice.kith.conversations.openDirect(await alice.lookup(`bb_${run}`));
    const wait = (check: () => boolean): Promise<void> =>
      new Promise((res, rej) => {
        const deadline = Date.now() + 20_000;
        const tick = (): void => (check() ? res() : Date.now() > deadline ? rej(new Error('timeout')) : void setTimeout(tick, 0));
        tick();
      });
    const seen = arrivals(bob.kith);
    const warm = await alice.kith.messages.send(g.id, 'warm up');
    await wait(() => seen.has(warm.id));
    const lat: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const t0 = performance.now();
      const m = await alice.kith.messages.send(g.id, `latency ${i}`);
      await wait(() => seen.has(m.id));
      lat.push(seen.get(m.id)! - t0);
    }
    await alice.stop();
    await bob.stop();
    return { p50: pct(lat, 50), p99: pct(lat, 99) };
  } finally {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const mem = await inProcess();
console.log(`in-process: p50 ${ms(mem.p50)} p99 ${ms(mem.p99)}; sustained ${mem.rate.toFixed(0)} msg/s; catch-up ${CATCHUP} in ${(mem.catchup / 1000).toFixed(1)} s`);
const real = await realRelay();
console.log(`real relay: p50 ${ms(real.p50)} p99 ${ms(real.p99)}`);
writeBenchSection(
  'sync',
  `## Sync (core/bench/sync.bench.ts)

In-process: a group of two (alice → bob); real relay: a direct chat. Yjs backend, every message sealed, pushed, stored, forwarded, opened,
verified and applied; latency = \`messages.send\` called → bob's \`message\` event.

| measure | in-process relay | real relay (child process, WebSocket, SQLite) |
|---|---|---|
| send → decrypted at recipient, p50 (${LATENCY_SAMPLES} samples) | ${ms(mem.p50)} | ${ms(real.p50)} |
| send → decrypted at recipient, p99 | ${ms(mem.p99)} | ${ms(real.p99)} |
| sustained messages/s from one sender (${SUSTAINED}, until all decrypted at bob) | ${mem.rate.toFixed(0)} | — |
| catch-up of a device ${CATCHUP.toLocaleString('en')} messages behind | ${(mem.catchup / 1000).toFixed(1)} s | — |

In-process figures include the test harness's flush loop (microtask rounds, relay group commit).`,
);
process.exit(0);
