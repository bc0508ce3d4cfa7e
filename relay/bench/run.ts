// Relay benchmarks: durable push throughput (1 and 10 clients, one push at a time and pipelined),
// pull of 10,000 entries, fan-out to 100 subscribers over real sockets (4 senders) and in process.
// Real HTTP/WebSocket on loopback, relay in a child process with its default durability.
// Run: pnpm --filter @kith/relay bench   (writes the `relay` section of docs/benchmarks.md)
// BENCH_PROFILE=dir passes --cpu-prof to the relay child (one .cpuprofile per run in dir).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers';
import { WebSocket } from 'ws';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { BINARY_FRAMES, binaryToServerFrame, decodeBinaryServerFrame, encodeBase64, encodeBinaryPush, type ServerFrame } from '@kith/core/protocol';
import { startChildRelay } from '../src/server/child-relay.js';
import { grantCapability, registerAndLogin } from '../src/testing/client.js';
import { createTestRelay } from '../src/testing/fixture.js';
import { openTestSocket, settle } from '../src/testing/socket-pair.js';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../src/testing/identity.js';

const CONV = '0190a1b2-0000-7000-8000-0000000be0c1';
await sodium.ready;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');
const loadBefore = load();
const dataDir = mkdtempSync(join(tmpdir(), 'kith-bench-'));
// The relay runs in its own process (as deployed); this process only drives clients.
const profileDir = process.env['BENCH_PROFILE'];
const running = await startChildRelay(dataDir, {
  KITH_CONN_RATE: '1000000',
  KITH_ACCOUNT_RATE: '1000000',
}, profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
const base = running.url;
async function metric(name: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m === null ? undefined : Number(m[1]);
}
const groupCommits = async (): Promise<number> => (await metric('kith_relay_group_commits_total')) ?? 0;
/** Durability syncs (fsync of the log); a relay without the counter fsyncs once per group commit. */
const fsyncs = async (): Promise<number> => (await metric('kith_relay_fsyncs_total')) ?? (await groupCommits());
const f = (p: string, i?: RequestInit): Promise<Response> => fetch(`${base}${p}`, i);
/** CPU time (user + system) the relay process used so far, in ms (Linux /proc; 10 ms ticks). */
function relayCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/${running.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

interface Client {
  ws: WebSocket;
  /** Frames and bytes received (all kinds). */
  readonly stats: { frames: number; bytes: number };
  on(t: ServerFrame['t'], fn: (f: ServerFrame) => void): void;
}

/** `binary`: asks for binary hot frames (RLY-39); they are decoded into the same frames here. */
async function connect(token: string, binary = false): Promise<Client> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/ws`);
  const handlers = new Map<string, (f: ServerFrame) => void>();
  const stats = { frames: 0, bytes: 0 };
  ws.on('message', (d: Buffer, isBinary: boolean) => {
    stats.frames++;
    stats.bytes += d.length;
    const b = isBinary ? decodeBinaryServerFrame(d, 64 << 20) : undefined;
    if (b !== undefined && !b.ok) throw new Error('invalid binary frame');
    const frame = b === undefined ? (JSON.parse(d.toString('utf8')) as ServerFrame) : binaryToServerFrame(b.value);
    handlers.get(frame.t)?.(frame);
  });
  ws.on('close', (code: number, reason: Buffer) => { if (code !== 1005 && code !== 1000) console.error('socket closed', code, reason.toString()); });
  const c: Client = { ws, stats, on: (t, fn) => handlers.set(t, fn) };
  await new Promise<void>((resolve) => {
    c.on('hello', () => ws.send(JSON.stringify({ v: 1, t: 'auth', id: 0, token, ...(binary ? { frames: BINARY_FRAMES } : {}) })));
    c.on('authed', () => resolve());
    c.on('error', (e) => process.stderr.write(`  frame error ${JSON.stringify(e)}\n`));
  });
  return c;
}

let userSeq = 0;
async function newUser(): Promise<{ id: TestIdentity; token: string; doc: string }> {
  const n = userSeq++;
  const id = createTestIdentity(`bench-${n}`);
  const token = await registerAndLogin(f, id, `bench${n}`);
  return { id, token, doc: `feed:${CONV}:${id.userId}:0` };
}

/**
 * Pushes `n` envelopes over one socket with at most `window` unacknowledged (1: each push waits
 * for the previous durable ack; Infinity: all pipelined); resolves when every ack arrived.
 */
async function pushMany(c: Client, id: TestIdentity, doc: string, n: number, options: { from?: number; window?: number; binary?: boolean } = {}): Promise<void> {
  const from = options.from ?? 1;
  const window = options.window ?? Infinity;
  const frames = Array.from({ length: n }, (_, i) => {
    const env = signTestEnvelope(id, { doc, counter: from + i, body: new Uint8Array(200).fill(i % 256) });
    return options.binary === true ? encodeBinaryPush({ t: 'push', id: i, env }) : JSON.stringify({ v: 1, t: 'push', id: i, env: encodeBase64(env) });
  });
  let acks = 0;
  let sent = 0;
  const progress = setInterval(() => process.stderr.write(`  push progress ${acks}/${n}\n`), 5000);
  await new Promise<void>((resolve, reject) => {
    const fill = (): void => {
      while (sent < n && sent - acks < window) c.ws.send(frames[sent++]!);
    };
    c.on('ack', () => {
      if (++acks === n) resolve();
      else fill();
    });
    c.on('error', (e) => reject(new Error(JSON.stringify(e))));
    fill();
  }).finally(() => clearInterval(progress));
}

const rows: string[] = [];
const row = (r: string): void => {
  rows.push(r);
  process.stderr.write(`${r}\n`);
};
const owner = await newUser();
await grantCapability(f, owner.token, owner.id, { scope: `conv:${CONV}`, readToken: 'read' });
const only = process.env['BENCH_ONLY']?.split(',');
const runs = (name: string): boolean => only === undefined || only.includes(name);

/** `clients` sockets each push `n` envelopes with `window` in flight; one table row. */
async function pushScenario(label: string, clients: number, n: number, window: number): Promise<void> {
  const users = await Promise.all(Array.from({ length: clients }, () => newUser()));
  const sockets = await Promise.all(users.map((u) => connect(u.token)));
  const [c0, s0] = [await groupCommits(), await fsyncs()];
  const cpu0 = relayCpuMs();
  const t0 = performance.now();
  await Promise.all(sockets.map((c, i) => pushMany(c, users[i]!.id, users[i]!.doc, n, { window })));
  const ms = performance.now() - t0;
  const cpu = relayCpuMs() - cpu0;
  const total = clients * n;
  const [commits, syncs] = [(await groupCommits()) - c0, (await fsyncs()) - s0];
  row(
    `| ${label} | ${total} | ${(total / (ms / 1000)).toFixed(0)} envelopes/s | ${commits} group commits, ${syncs} fsyncs (${(syncs / total).toFixed(3)} per envelope); relay CPU ${((cpu * 1000) / total).toFixed(0)} µs per envelope |`,
  );
  for (const c of sockets) c.ws.close();
}

if (runs('push')) {
  await pushScenario('push, 1 client, one at a time (each waits for its durable ack)', 1, 1000, 1);
  await pushScenario('push, 10 clients, one at a time each', 10, 300, 1);
  await pushScenario('push, 1 client, pipelined (200 B bodies)', 1, 3000, Infinity);
  await pushScenario('push, 10 clients, pipelined', 10, 1000, Infinity);
}
// pull 10,000 entries
if (runs('pull')) {
  const c = await connect(owner.token);
  await pushMany(c, owner.id, owner.doc, 10_000);
  const cpu0 = relayCpuMs();
  const t0 = performance.now();
  let got = 0;
  let after = 0;
  for (;;) {
    const page = await new Promise<Extract<ServerFrame, { t: 'entries' }>>((resolve) => {
      c.on('entries', (fr) => resolve(fr as Extract<ServerFrame, { t: 'entries' }>));
      c.ws.send(JSON.stringify({ v: 1, t: 'pull', id: 1, doc: owner.doc, cap: 'read', after, limit: 1000 }));
    });
    got += page.entries.length;
    after = page.next;
    if (!page.more) break;
  }
  const ms = performance.now() - t0;
  const cpu = relayCpuMs() - cpu0;
  row(`| pull 10,000 entries (pages of 1,000) | ${got} | ${ms.toFixed(0)} ms (${(got / (ms / 1000)).toFixed(0)} entries/s) | relay CPU ${((cpu * 1000) / got).toFixed(1)} µs per entry |`);
  c.ws.close();
}
// fan-out over real sockets: 4 senders (4 in flight each) → 100 subscribers of all 4 documents
for (const binary of runs('fanout') ? [false, true, false, true] : []) {
  const SUBS = 100;
  const PER_SENDER = 250;
  const senders = await Promise.all(Array.from({ length: 4 }, () => newUser()));
  const reader = await newUser();
  const subs = await Promise.all(Array.from({ length: SUBS }, () => connect(reader.token, binary)));
  const total = senders.length * PER_SENDER;
  let deliveredAll!: () => void;
  const allDelivered = new Promise<void>((r) => (deliveredAll = r));
  let delivered = 0;
  const count = (k: number): void => {
    delivered += k;
    if (delivered === total * SUBS) deliveredAll();
  };
  for (const s of subs) {
    for (const [j, u] of senders.entries()) {
      await new Promise<void>((resolve) => {
        s.on('ok', () => resolve());
        s.ws.send(JSON.stringify({ v: 1, t: 'sub', id: 10 + j, doc: u.doc, cap: 'read', after: 0 }));
      });
    }
    s.on('entry', () => count(1));
    s.on('entries', (fr) => count((fr as Extract<ServerFrame, { t: 'entries' }>).entries.length));
  }
  const before = subs.map((s) => ({ ...s.stats }));
  const sockets = await Promise.all(senders.map((u) => connect(u.token, binary)));
  const s0 = await fsyncs();
  const cpu0 = relayCpuMs();
  const t0 = performance.now();
  await Promise.all(sockets.map((c, i) => pushMany(c, senders[i]!.id, senders[i]!.doc, PER_SENDER, { window: 4, binary })));
  await allDelivered;
  const ms = performance.now() - t0;
  const cpu = relayCpuMs() - cpu0;
  const syncs = (await fsyncs()) - s0;
  const frames = subs.reduce((k, s, i) => k + s.stats.frames - before[i]!.frames, 0);
  const bytes = subs.reduce((k, s, i) => k + s.stats.bytes - before[i]!.bytes, 0);
  row(
    `| fan-out: 4 senders (4 in flight each) × ${SUBS} subscribers, real sockets, ${binary ? 'binary' : 'JSON'} frames | ${total} updates, ${delivered} deliveries | ${(total / (ms / 1000)).toFixed(0)} updates/s, ${(delivered / (ms / 1000)).toFixed(0)} deliveries/s | ${(bytes / frames).toFixed(0)} B per frame, ${(bytes / delivered).toFixed(0)} B per delivered entry, ${(delivered / frames).toFixed(2)} entries per frame, ${(syncs / total).toFixed(3)} fsyncs per envelope; relay CPU ${((cpu * 1000) / delivered).toFixed(1)} µs per delivery |`,
  );
  for (const c of [...sockets, ...subs]) c.ws.close();
}
// fan-out to 100 subscribers — in process (socket pair, no network): the relay's own cost
if (runs('fanout-inproc')) {
  const t = await createTestRelay({ limits: { connRate: 1e9, connBurst: 1e9, accountRate: 1e9, accountBurst: 1e9 } });
  const tok = await registerAndLogin(t.fetch, owner.id, 'fanout');
  await grantCapability(t.fetch, tok, owner.id, { scope: `conv:${CONV}`, readToken: 'read' });
  const subs = Array.from({ length: 100 }, () => openTestSocket(t.relay));
  for (const s of [...subs]) s.send({ v: 1, t: 'auth', id: 0, token: tok });
  await settle(t.relay);
  for (const s of subs) s.send({ v: 1, t: 'sub', id: 1, doc: owner.doc, cap: 'read', after: 0 });
  await settle(t.relay);
  const pusher = openTestSocket(t.relay);
  pusher.send({ v: 1, t: 'auth', id: 0, token: tok });
  await settle(t.relay);
  const n = 200;
  const frames = Array.from({ length: n }, (_, i) => ({ v: 1 as const, t: 'push' as const, id: i, env: encodeBase64(signTestEnvelope(owner.id, { doc: owner.doc, counter: 20_001 + i, body: new Uint8Array(200) })) }));
  const t0 = performance.now();
  for (const fr of frames) pusher.send(fr);
  await settle(t.relay);
  const ms = performance.now() - t0;
  const delivered = subs.reduce((k, s) => k + s.frames('entry').length + s.frames('entries', 1).reduce((m, e) => m + e.entries.length, 0), 0);
  row(`| fan-out: ${n} pushes × 100 subscribers (in-process socket pair, memory store) | ${delivered} deliveries | ${(delivered / (ms / 1000)).toFixed(0)} deliveries/s | ${ms.toFixed(0)} ms total |`);
}

running.child.kill('SIGTERM');
await running.exited;
rmSync(dataDir, { recursive: true, force: true });
const md = `## Relay (\`relay/bench/run.ts\`)

Real HTTP + WebSocket on loopback, relay in a child process (\`node --import tsx src/main.ts\`) with its default durability
(see docs/adr/0018-relay-write-path.md): every ack is sent after the write is durable. The clients use JSON frames except in the
fan-out rows marked binary (RLY-39..44), interleaved JSON, binary, JSON, binary. One run on a shared machine: load average (1 / 5 / 15 min)
${loadBefore} before, ${load()} after — wall-clock rates swing with it; the relay's own CPU per envelope or delivery is steadier.

| scenario | count | result | notes |
|---|---|---|---|
${rows.join('\n')}`;
console.log(md);
if (only === undefined) writeBenchSection('relay', md);
