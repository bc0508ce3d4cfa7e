// Relay benchmarks: durable push throughput (1 and 10 clients), pull of 10,000 entries,
// fan-out to 100 subscribers. Real HTTP/WebSocket on loopback, SQLite synchronous=FULL.
// Run: pnpm --filter @kith/relay bench   (writes the `relay` section of docs/benchmarks.md)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers';
import { WebSocket } from 'ws';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { encodeBase64, type ServerFrame } from '@kith/core/protocol';
import { startChildRelay } from '../src/server/child-relay.js';
import { grantCapability, registerAndLogin } from '../src/testing/client.js';
import { createTestRelay } from '../src/testing/fixture.js';
import { openTestSocket, settle } from '../src/testing/socket-pair.js';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../src/testing/identity.js';

const CONV = '0190a1b2-0000-7000-8000-0000000be0c1';
await sodium.ready;
const dataDir = mkdtempSync(join(tmpdir(), 'kith-bench-'));
// The relay runs in its own process (as deployed); this process only drives clients.
const running = await startChildRelay(dataDir, { KITH_CONN_RATE: '1000000', KITH_ACCOUNT_RATE: '1000000' });
const base = running.url;
async function groupCommits(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/kith_relay_group_commits_total (\d+)/.exec(text)?.[1] ?? 0);
}
const f = (p: string, i?: RequestInit): Promise<Response> => fetch(`${base}${p}`, i);

interface Client {
  ws: WebSocket;
  on(t: ServerFrame['t'], fn: (f: ServerFrame) => void): void;
}

async function connect(token: string): Promise<Client> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/ws`);
  const handlers = new Map<string, (f: ServerFrame) => void>();
  ws.on('message', (d: Buffer) => {
    const frame = JSON.parse(d.toString('utf8')) as ServerFrame;
    handlers.get(frame.t)?.(frame);
  });
  ws.on('close', (code: number, reason: Buffer) => { if (code !== 1005 && code !== 1000) console.error('socket closed', code, reason.toString()); });
  const c: Client = { ws, on: (t, fn) => handlers.set(t, fn) };
  await new Promise<void>((resolve) => {
    c.on('hello', () => ws.send(JSON.stringify({ v: 1, t: 'auth', id: 0, token })));
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

/** Pushes `n` envelopes pipelined over one socket; resolves when every durable ack arrived. */
async function pushMany(c: Client, id: TestIdentity, doc: string, n: number, from = 1): Promise<void> {
  const frames = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ v: 1, t: 'push', id: i, env: encodeBase64(signTestEnvelope(id, { doc, counter: from + i, body: new Uint8Array(200).fill(i % 256) })) }),
  );
  let acks = 0;
  const progress = setInterval(() => process.stderr.write(`  push progress ${acks}/${n}\n`), 5000);
  await new Promise<void>((resolve, reject) => {
    c.on('ack', () => {
      if (++acks === n) resolve();
    });
    c.on('error', (e) => reject(new Error(JSON.stringify(e))));
    for (const fr of frames) c.ws.send(fr);
  }).finally(() => clearInterval(progress));
}

const rows: string[] = [];
const owner = await newUser();
await grantCapability(f, owner.token, owner.id, { scope: `conv:${CONV}`, readToken: 'read' });

const onlyFanout = process.env['BENCH_ONLY_FANOUT'] === '1';
// 1. one client
if (!onlyFanout) {
  const u = await newUser();
  const c = await connect(u.token);
  const n = 3000;
  const t0 = performance.now();
  await pushMany(c, u.id, u.doc, n);
  const ms = performance.now() - t0;
  rows.push(`| push, 1 client (pipelined, 200 B bodies) | ${n} | ${(n / (ms / 1000)).toFixed(0)} envelopes/s | ${await groupCommits()} group commits |`);
  c.ws.close();
}
process.stderr.write(`${rows.at(-1) ?? ''}\n`);
// 2. ten clients
if (!onlyFanout) {
  const users = await Promise.all(Array.from({ length: 10 }, () => newUser()));
  const clients = await Promise.all(users.map((u) => connect(u.token)));
  const n = 1000;
  const before = await groupCommits();
  const t0 = performance.now();
  await Promise.all(clients.map((c, i) => pushMany(c, users[i]!.id, users[i]!.doc, n)));
  const ms = performance.now() - t0;
  const batches = (await groupCommits()) - before;
  rows.push(`| push, 10 concurrent clients | ${10 * n} | ${((10 * n) / (ms / 1000)).toFixed(0)} envelopes/s | ${batches} group commits (avg ${((10 * n) / batches).toFixed(1)} per fsync) |`);
  for (const c of clients) c.ws.close();
}
process.stderr.write(`${rows.at(-1) ?? ''}\n`);
// 3. pull 10,000 entries
if (!onlyFanout) {
  const c = await connect(owner.token);
  await pushMany(c, owner.id, owner.doc, 10_000);
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
  rows.push(`| pull 10,000 entries (pages of 1,000) | ${got} | ${ms.toFixed(0)} ms (${(got / (ms / 1000)).toFixed(0)} entries/s) | |`);
  c.ws.close();
}
process.stderr.write(`${rows.at(-1) ?? ''}\n`);
// 4. fan-out to 100 subscribers — in process (socket pair, no network): the relay's own cost
{
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
  const delivered = subs.reduce((k, s) => k + s.frames('entry').length, 0);
  rows.push(`| fan-out: ${n} pushes × 100 subscribers (in-process socket pair, memory store) | ${delivered} deliveries | ${(delivered / (ms / 1000)).toFixed(0)} deliveries/s | ${ms.toFixed(0)} ms total |`);
}

running.child.kill('SIGTERM');
await running.exited;
rmSync(dataDir, { recursive: true, force: true });
const md = `## Relay (\`relay/bench/run.ts\`)

Real HTTP + WebSocket on loopback, relay in a child process (\`node --import tsx src/main.ts\`), SQLite WAL \`synchronous=FULL\`: every ack is
sent after its group-committed transaction is fsynced.

| scenario | count | result | notes |
|---|---|---|---|
${rows.join('\n')}`;
console.log(md);
writeBenchSection('relay', md);
