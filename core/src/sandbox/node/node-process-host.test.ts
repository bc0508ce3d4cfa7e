import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { parseDocId, parseUserId } from '../../ids.js';
import { createSystemClock } from '../../platform/system-clock.js';
import { gcFloodUpdateV2 } from '../crafted-updates.js';
import { createDecodeSandbox, type DecodeSandbox, type DecodeSandboxOptions } from '../decode-sandbox.js';
import { createNodeProcessHost, type NodeProcessHostOptions } from './node-process-host.js';

const MALLORY = parseUserId('0190a1b2-0000-8000-8000-00000000000a');
const ALICE = parseUserId('0190a1b2-0000-8000-8000-00000000000b');
const docA = parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-8000-8000-00000000000a:0');
const docB = parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-8000-8000-00000000000b:0');
const misbehaving = new URL('./fixtures/misbehaving-child.mjs', import.meta.url);

const sandboxes: DecodeSandbox[] = [];
afterAll(() => sandboxes.forEach((s) => s.close()));

function sandboxOn(host: NodeProcessHostOptions, options: Partial<DecodeSandboxOptions> = {}): DecodeSandbox {
  const sandbox = createDecodeSandbox({ host: createNodeProcessHost(host), clock: createSystemClock(), budgetMs: 10_000, ...options });
  sandboxes.push(sandbox);
  return sandbox;
}

function validUpdate(key: string): Uint8Array {
  const d = new Y.Doc();
  d.getMap('msg').set(key, { text: 'hi' });
  return Y.encodeStateAsUpdate(d);
}

const code = (r: Awaited<ReturnType<DecodeSandbox['check']>>): string => (r.ok ? 'ok' : r.error.code);

describe('node process host (SBX-6: a crash of the decoder is the child\'s, never this process\'s)', () => {
  it('SBX-6 regression gcFloodUpdateV2: the child exhausts its heap (V8 fatal OOM abort), the update is quarantined worker_crash, the next document runs on a fresh child', async () => {
    const sandbox = sandboxOn({ maxHeapMb: 32 }, { budgetMs: 60_000 });
    const flood = gcFloodUpdateV2();
    // v1 and v2 orders of the same work: apply (refs filled by index) and scope check (push)
    const [plain, scoped, after] = await Promise.all([
      sandbox.check(docA, MALLORY, flood, 'yjs-v2'),
      sandbox.check(docA, MALLORY, flood, 'yjs-v2', { roots: ['msg'], flat: true }),
      sandbox.check(docB, ALICE, validUpdate('m1'), 'yjs-v1'),
    ]);
    const s = sandbox.stats();
    const reasons = sandbox.quarantined().map((q) => q.reason);
    console.log(`[SBX-6 heap] updates=3 bytes=${flood.length} crashes=${reasons.filter((r) => r === 'worker_crash').length} restarts=${s.restarts} accepted=${s.accepted} parentAlive=1 heapUsedMb=${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)}`);
    expect([code(plain), code(scoped), code(after)]).toEqual(['malformed', 'malformed', 'ok']);
    expect(reasons).toEqual(['worker_crash', 'worker_crash']);
    expect(sandbox.quarantined().every((q) => q.author === MALLORY && q.doc === docA)).toBe(true);
    expect(s).toMatchObject({ checked: 3, accepted: 1, quarantined: 2, timeouts: 0, restarts: 2 });
  }, 120_000);

  it('SBX-6 a child that aborts (SIGABRT) or exits mid-update: quarantined worker_crash with its author; other documents continue on a fresh child', async () => {
    const exits: string[] = [];
    const host = createNodeProcessHost({ entry: misbehaving });
    const spy = { spawn: () => { const w = host.spawn(); w.onExit((r) => exits.push(r)); return w; } };
    const sandbox = createDecodeSandbox({ host: spy, clock: createSystemClock(), budgetMs: 10_000 });
    sandboxes.push(sandbox);
    const results = await Promise.all([
      sandbox.check(docB, ALICE, validUpdate('m1')),
      sandbox.check(docA, MALLORY, new Uint8Array([0xde, 0xad, 1])),
      sandbox.check(docB, ALICE, validUpdate('m2')),
      sandbox.check(docA, MALLORY, new Uint8Array([0xde, 0xae, 1])),
      sandbox.check(docB, ALICE, validUpdate('m3')),
    ]);
    const s = sandbox.stats();
    console.log(`[SBX-6 crash] updates=${results.length} crashes=${s.quarantined} restarts=${s.restarts} accepted=${s.accepted} exits=${JSON.stringify(exits)}`);
    expect(results.map(code)).toEqual(['ok', 'malformed', 'ok', 'malformed', 'ok']);
    expect(sandbox.quarantined()).toMatchObject([
      { doc: docA, author: MALLORY, reason: 'worker_crash' },
      { doc: docA, author: MALLORY, reason: 'worker_crash' },
    ]);
    expect(exits).toEqual(['signal SIGABRT', 'exit 3']);
    expect(s).toMatchObject({ accepted: 3, quarantined: 2, restarts: 2, timeouts: 0 });
  }, 60_000);

  it('answers that are not responses, or name another request, are dropped (the update then runs out of budget)', async () => {
    const sandbox = createDecodeSandbox({ host: createNodeProcessHost({ entry: misbehaving }), clock: createSystemClock(), budgetMs: 1500 });
    sandboxes.push(sandbox);
    const garbage = await sandbox.check(docA, MALLORY, new Uint8Array([0xde, 0xaf]));
    const next = await sandbox.check(docB, ALICE, validUpdate('m1'));
    expect([code(garbage), code(next)]).toEqual(['decode_timeout', 'ok']);
    expect(sandbox.stats()).toMatchObject({ timeouts: 1, restarts: 1, accepted: 1 });
  }, 60_000);

  it('an idle child does not keep the parent alive; after terminate nothing is posted or reported', async () => {
    const w = createNodeProcessHost().spawn();
    const exit = new Promise<string>((resolve) => w.onExit(resolve));
    await new Promise<void>((resolve) => w.onMessage((m) => 'ready' in m && resolve()));
    // unref'd: the child handle and its idle IPC channel hold no reference on the event loop
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    expect(handles.some((h) => (h as { constructor?: { name?: string } }).constructor?.name === 'ChildProcess')).toBe(false);
    w.terminate();
    let reported = false;
    void exit.then(() => (reported = true));
    w.post({ id: 1, doc: docA, format: 'yjs-v1', update: validUpdate('x') }); // after terminate: ignored, never throws
    expect(reported).toBe(false);
  }, 30_000);
});
