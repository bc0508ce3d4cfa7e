import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocId, parseUserId } from '../ids.js';
import { createSystemClock } from '../platform/system-clock.js';
import { fuzzBudgetMs, withSeed } from '../testing/fuzz-env.js';
import { createSeededRandom, seedFromEnv } from '../testing/seeded-random.js';
import { createDecodeSandbox, type DecodeSandbox } from './decode-sandbox.js';
import { createHostileCorpus, type CorpusKind } from './hostile-corpus.js';
import type { SandboxHost } from './sandbox-protocol.js';
import { createNodeProcessHost } from './node/node-process-host.js';
import { createNodeWorkerHost } from './node/node-worker-host.js';

const MALLORY = parseUserId('0190a1b2-0000-8000-8000-00000000000a');
const ALICE = parseUserId('0190a1b2-0000-8000-8000-00000000000b');
const docA = parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-8000-8000-00000000000a:0');
const docB = parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-8000-8000-00000000000b:0');

const sandboxes: DecodeSandbox[] = [];
afterAll(() => sandboxes.forEach((s) => s.close()));

/** The Node hosts, which pass the same behaviour tests (the process host is the recommended one, ADR 0010). */
const hosts: ReadonlyArray<readonly [string, () => SandboxHost]> = [
  ['process host', () => createNodeProcessHost()],
  ['worker_threads host', () => createNodeWorkerHost()],
];

/** A v2 update that makes Yjs 13.6 loop forever would be ideal; a worker that never answers stands in for it. */
function stallingHost(createHost: () => SandboxHost): SandboxHost {
  const real = createHost();
  return {
    spawn() {
      const w = real.spawn();
      return { ...w, post: (req) => (req.update[0] === 0xee && req.update[1] === 0xee ? undefined : w.post(req)) };
    },
  };
}

describe.each(hosts)('decode sandbox on the %s (SBX-1..5)', (_name, createHost) => {
  it('SBX-2/3 an update that never finishes is quarantined with its author; the worker is replaced and other documents keep working', async () => {
    const sandbox = createDecodeSandbox({ host: stallingHost(createHost), clock: createSystemClock(), budgetMs: 300 });
    sandboxes.push(sandbox);
    const { Doc, encodeStateAsUpdate } = await import('yjs');
    const good = new Doc();
    good.getMap('msg').set('m1', { text: 'hi' });
    const valid = encodeStateAsUpdate(good);
    const [hang, other] = await Promise.all([sandbox.check(docA, MALLORY, new Uint8Array([0xee, 0xee, 1])), sandbox.check(docB, ALICE, valid)]);
    expect(hang.ok ? 'ok' : hang.error.code).toBe('decode_timeout');
    expect(other.ok).toBe(true);
    expect(sandbox.quarantined()).toMatchObject([{ doc: docA, author: MALLORY, reason: 'decode_timeout' }]);
    expect(sandbox.stats()).toMatchObject({ timeouts: 1, restarts: 1, accepted: 1 });
  });

  it('SBX-5 an update that writes outside its author\'s scope is quarantined before it is applied', async () => {
    const sandbox = createDecodeSandbox({ host: createHost(), clock: createSystemClock(), budgetMs: 2000 });
    sandboxes.push(sandbox);
    const Y = await import('yjs');
    const scope = { roots: ['msg', 'react'], flat: true };
    const make = (fn: (d: InstanceType<typeof Y.Doc>) => void): Uint8Array => {
      const d = new Y.Doc();
      fn(d);
      return Y.encodeStateAsUpdate(d);
    };
    const inScope = make((d) => d.getMap('msg').set('m1', { text: 'hi' }));
    const otherRoot = make((d) => d.getMap('account').set('k', 1));
    const nested = make((d) => d.getMap('msg').set('m2', new Y.Map()));
    const text = make((d) => d.getText('msg').insert(0, 'x'));
    const codes = [];
    for (const u of [inScope, otherRoot, nested, text]) {
      const r = await sandbox.check(docA, MALLORY, u, 'yjs-v1', scope);
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['ok', 'unauthorized', 'unauthorized', 'unauthorized']);
    expect(sandbox.quarantined().map((q) => q.reason)).toEqual(['out_of_scope', 'out_of_scope', 'out_of_scope']);
  });
});

describe('decode sandbox corpus (SBX-4, SBX-6)', () => {

  it('SBX-4 hostile corpus from a signed member: 0 crashes, 0 main-thread hangs, quarantined count reported', async () => {
    // CI sets SEED=1; by hand every run draws a new seed (printed) — the process host contains a
    // decoder that exhausts its heap (SBX-6), so no seed can abort this process any more.
    const seed = seedFromEnv();
    await withSeed(seed, async () => {
      const rng = createSeededRandom(seed);
      const corpus = createHostileCorpus(rng);
      const budget = fuzzBudgetMs(3000);
      const sandbox = createDecodeSandbox({ host: createNodeProcessHost(), clock: createSystemClock(), budgetMs: 500 });
      sandboxes.push(sandbox);
      // the budget explores the corpus; spawning the first child (~0.1–1 s on a busy machine) is not part of it
      const { Doc, encodeStateAsUpdate } = await import('yjs');
      expect((await sandbox.check(docB, ALICE, encodeStateAsUpdate(new Doc()))).ok).toBe(true);
      let maxLoopMs = 0;
      const byKind = new Map<CorpusKind, { n: number; accepted: number; quarantined: number }>();
      const deadline = Date.now() + budget;
      const checkedBefore = sandbox.stats().checked;
      let validRejected = 0;
      let crashes = 0;
      let n = 0;
      while (Date.now() < deadline) {
        const batch = Array.from({ length: 50 }, () => corpus.next());
        // the event-loop delay is measured while the sandbox works (not while the test builds the corpus)
        const loop = monitorEventLoopDelay({ resolution: 10 });
        loop.enable();
        const results = await Promise.all(batch.map((item, i) => sandbox.check(i % 2 ? docA : docB, MALLORY, item.update, item.format, i % 3 === 0 ? { roots: ['msg', 'react'], flat: true } : undefined)));
        loop.disable();
        maxLoopMs = Math.max(maxLoopMs, loop.max / 1e6);
        results.forEach((r, i) => {
          const item = batch[i]!;
          const k = byKind.get(item.kind) ?? { n: 0, accepted: 0, quarantined: 0 };
          k.n++;
          if (r.ok) k.accepted++;
          else {
            k.quarantined++;
            expect(['malformed', 'decode_timeout', 'too_large', 'unauthorized']).toContain(r.error.code);
            if (r.error.message.includes('crashed')) crashes++;
            if (item.kind === 'valid') validRejected++;
          }
          byKind.set(item.kind, k);
        });
        n += batch.length;
        // forget mirrors now and then, as if the engine refused some accepted updates
        if (rng.int(4) === 0) sandbox.forget(docA);
      }
      const s = sandbox.stats();
      const reasons = sandbox.quarantined().reduce<Record<string, number>>((acc, q) => ({ ...acc, [q.reason]: (acc[q.reason] ?? 0) + 1 }), {});
      const kinds = [...byKind].map(([k, v]) => `${k}:${v.n}/${v.accepted}ok/${v.quarantined}q`).join(' ');
      console.log(`[SBX-4] seed=${seed} updates=${n} quarantined=${s.quarantined} timeouts=${s.timeouts} workerRestarts=${s.restarts} workerCrashes=${crashes} parentCrashes=0 maxCheckMs=${s.maxCheckMs} reasons=${JSON.stringify(reasons)} mainThreadMaxLoopDelayMs=${maxLoopMs.toFixed(0)} | ${kinds}`);
      expect(s.checked - checkedBefore).toBe(n);
      expect(validRejected).toBe(0);
      expect(maxLoopMs).toBeLessThan(400);
      expect(s.quarantined).toBeGreaterThan(0);
    });
  });
});
