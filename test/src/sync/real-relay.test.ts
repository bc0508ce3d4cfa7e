import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createDecodeSandbox,
  createKith,
  createMemoryStorage,
  createMemoryVault,
  createSodiumCrypto,
  createSyncClient,
  createWebSocketTransport,
  logIn,
  signUp,
  vetWithSandbox,
  type CryptoPort,
  type DecodeSandbox,
  type Identity,
  type Kith,
  type SyncClient,
  type WebSocketConstructor,
} from '@kith/core';
import { createYjsBackend } from '@kith/core/yjs';
import { createNodeWorkerHost } from '@kith/core/node';
import { createManualClock, createSeededRandom } from '@kith/core/testing';

const root = resolve(import.meta.dirname, '../../..');
let child: ChildProcess | undefined;
let url = '';
let dataDir = '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kith-relay-'));
  child = spawn(join(root, 'relay/node_modules/.bin/tsx'), ['--conditions=@kith/source', 'relay/src/main.ts', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--synchronous', 'NORMAL'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`relay did not start: ${out}`)), 30_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        res(m[1].replace('localhost', '127.0.0.1'));
      }
    });
    child!.on('exit', (code) => rej(new Error(`relay exited ${code}: ${out}`)));
  });
});

afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Polls `check` until it holds or the deadline passes (real sockets: the only place we wait on time). */
async function until(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Device {
  identity: Identity;
  kith: Kith;
  sync: SyncClient;
  sandbox: DecodeSandbox;
}

async function device(crypto: CryptoPort, identity: Identity, name: string): Promise<Device> {
  const clock = createManualClock(Date.now());
  const random = createSeededRandom(`real-relay:${name}`);
  const storage = createMemoryStorage();
  const kith = await createKith({ user: identity.userId, username: name, device: identity.device, backend: createYjsBackend(), clock, random, storage });
  const transport = createWebSocketTransport({ url, WebSocket: WebSocket as unknown as WebSocketConstructor });
  // The real pipeline (H4): other people's Yjs updates are decoded in the worker sandbox first.
  const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock });
  const sync = await createSyncClient({ kith, identity, crypto, transport, clock, random: random.fork('sync'), storage, vault: createMemoryVault(crypto), vet: vetWithSandbox(sandbox, identity.userId) });
  sync.start();
  return { identity, kith, sync, sandbox };
}

describe('sync over real WebSockets to a relay child process', () => {
  it('sign up, contact request, direct chat both ways; a new device logs in with the password and restores the chat', async () => {
    const crypto = await createSodiumCrypto();
    const limits = { opsLimit: 1, memLimitBytes: 8 * 1024 * 1024 };
    const fetchRelay = (path: string, init?: RequestInit): Promise<Response> => fetch(`${url}${path}`, init);
    const run = Date.now().toString(36);
    const [an, bn] = [`alice_${run}`, `bob_${run}`];
    const a = await signUp({ crypto, fetch: fetchRelay, username: an, password: 'correct horse', limits });
    const b = await signUp({ crypto, fetch: fetchRelay, username: bn, password: 'battery staple', limits });
    if (!a.ok || !b.ok) throw new Error('sign up failed');
    const alice = await device(crypto, a.value, an);
    const bob = await device(crypto, b.value, bn);
    const bobId = await alice.sync.lookup(bn);
    if (!bobId.ok) throw bobId.error;
    await alice.kith.contacts.request(bobId.value);
    const direct = await alice.kith.conversations.openDirect(bobId.value);
    const hello = await alice.kith.messages.send(direct.id, 'hello over real sockets');
    await until(() => bob.kith.conversations.list().some((c) => c.id === direct.id));
    await until(async () => (await bob.kith.messages.page(direct.id)).some((m) => m.id === hello.id));
    await bob.kith.contacts.accept(a.value.userId);
    const reply = await bob.kith.messages.send(direct.id, 'hi alice');
    await until(async () => (await alice.kith.messages.page(direct.id)).some((m) => m.id === reply.id));
    expect(await logIn({ crypto, fetch: fetchRelay, username: an, password: 'wrong' })).toMatchObject({ ok: false });
    const restored = await logIn({ crypto, fetch: fetchRelay, username: an, password: 'correct horse' });
    if (!restored.ok) throw restored.error;
    expect(restored.value.userId).toBe(a.value.userId);
    const second = await device(crypto, restored.value, an);
    await until(async () => {
      if (!second.kith.conversations.list().some((c) => c.id === direct.id)) return false;
      return (await second.kith.messages.page(direct.id)).length === 2;
    });
    const texts = (await second.kith.messages.page(direct.id)).map((m) => m.text);
    expect(texts).toEqual(['hello over real sockets', 'hi alice']);
    await until(() => alice.sync.state === 'upToDate' && bob.sync.state === 'upToDate');
    console.log(`real-relay: ${url} direct chat both ways; new device restored ${texts.length} messages from the relay alone; states ${alice.sync.state}/${bob.sync.state}`);
    for (const d of [alice, bob, second]) {
      await d.sync.stop();
      await d.kith.close();
      d.sandbox.close();
    }
  });
});
