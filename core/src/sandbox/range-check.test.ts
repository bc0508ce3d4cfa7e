import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { parseDocId, parseUserId } from '../ids.js';
import { createSystemClock } from '../platform/system-clock.js';
import { createDecodeSandbox, type DecodeSandbox } from './decode-sandbox.js';
import type { SandboxHost, SandboxRequest } from './sandbox-protocol.js';
import { createNodeWorkerHost } from './node/node-worker-host.js';

const MALLORY = parseUserId('0190a1b2-0000-8000-8000-00000000000a');
const doc = parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-8000-8000-00000000000a:0');
const HANG = Uint8Array.from([0xee, 0xee, 1]);

const sandboxes: DecodeSandbox[] = [];
afterAll(() => sandboxes.forEach((s) => s.close()));

/** The worker_threads host, recording every request; a request holding HANG is never answered. */
function recordingHost(posts: SandboxRequest[]): SandboxHost {
  const real = createNodeWorkerHost();
  return {
    spawn() {
      const w = real.spawn();
      return {
        ...w,
        post(req) {
          posts.push(req);
          if ([req.update, ...(req.rest ?? [])].some((u) => u[0] === 0xee && u[1] === 0xee)) return;
          w.post(req);
        },
      };
    },
  };
}

/** `n` consecutive updates of one Yjs document (each one message), as a feed author writes them. */
function updates(n: number): Uint8Array[] {
  const d = new Y.Doc();
  const out: Uint8Array[] = [];
  d.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < n; i++) d.getMap('msg').set(`m${i}`, { text: `hello ${i}` });
  return out;
}

const codes = (rs: ReadonlyArray<{ ok: boolean; error?: { code: string } }>): string[] => rs.map((r) => (r.ok ? 'ok' : r.error!.code));

describe('BATCH-10 a range is vetted in one sandbox round trip', () => {
  it('BATCH-10 the updates of a range are checked in order in one request; each is accepted', async () => {
    const posts: SandboxRequest[] = [];
    const sandbox = createDecodeSandbox({ host: recordingHost(posts), clock: createSystemClock(), budgetMs: 2000 });
    sandboxes.push(sandbox);
    const range = updates(20);
    const rs = await sandbox.checkRange(doc, MALLORY, range, 'yjs-v1', { roots: ['msg'], flat: false });
    expect(codes(rs)).toEqual(range.map(() => 'ok'));
    expect(posts).toHaveLength(1);
    expect(posts[0]!.rest).toHaveLength(19);
    expect(sandbox.stats()).toMatchObject({ checked: 20, accepted: 20, quarantined: 0 });
  });

  it('BATCH-10 a refused update in a range is quarantined alone: the ones before it stand, the ones after it are checked again', async () => {
    const posts: SandboxRequest[] = [];
    const sandbox = createDecodeSandbox({ host: recordingHost(posts), clock: createSystemClock(), budgetMs: 2000 });
    sandboxes.push(sandbox);
    const [a, b, c, d] = updates(4);
    const outOfScope = (() => {
      const x = new Y.Doc();
      x.getMap('account').set('k', 1);
      return Y.encodeStateAsUpdate(x);
    })();
    const junk = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const rs = await sandbox.checkRange(doc, MALLORY, [a!, outOfScope, b!, junk, c!, d!], 'yjs-v1', { roots: ['msg'], flat: false });
    expect(codes(rs)).toEqual(['ok', 'unauthorized', 'ok', 'malformed', 'ok', 'ok']);
    expect(sandbox.quarantined().map((q) => [q.reason, q.bytes])).toEqual([
      ['out_of_scope', outOfScope.length],
      ['malformed', junk.length],
    ]);
    // [a, x, b, j, c, d] → [b, j, c, d] → [c, d]: the mirror is rebuilt (base) after the malformed one.
    expect(posts.map((p) => 1 + (p.rest?.length ?? 0))).toEqual([6, 4, 2]);
  });

  it('BATCH-10 / SBX-2 a range the worker hangs on is checked again update by update: only the hanging one is quarantined', async () => {
    const posts: SandboxRequest[] = [];
    const sandbox = createDecodeSandbox({ host: recordingHost(posts), clock: createSystemClock(), budgetMs: 300 });
    sandboxes.push(sandbox);
    const [a, b] = updates(2);
    const rs = await sandbox.checkRange(doc, MALLORY, [a!, HANG, b!], 'yjs-v1', { roots: ['msg'], flat: false });
    expect(codes(rs)).toEqual(['ok', 'decode_timeout', 'ok']);
    expect(sandbox.quarantined()).toMatchObject([{ doc, author: MALLORY, reason: 'decode_timeout', bytes: HANG.length }]);
    expect(sandbox.stats()).toMatchObject({ timeouts: 1, accepted: 2 });
    expect(posts.map((p) => 1 + (p.rest?.length ?? 0))).toEqual([3, 1, 1, 1]);
  });

  it('BATCH-10 an oversize update in a range is refused without a round trip; the others still are checked in order', async () => {
    const posts: SandboxRequest[] = [];
    const sandbox = createDecodeSandbox({ host: recordingHost(posts), clock: createSystemClock(), budgetMs: 2000, maxUpdateBytes: 64 });
    sandboxes.push(sandbox);
    const [a, b] = updates(2);
    const rs = await sandbox.checkRange(doc, MALLORY, [a!, new Uint8Array(65), b!], 'yjs-v1');
    expect(codes(rs)).toEqual(['ok', 'too_large', 'ok']);
    expect(posts.map((p) => 1 + (p.rest?.length ?? 0))).toEqual([1, 1]);
  });
});
