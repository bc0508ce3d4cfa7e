import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocId, parseUserId } from '../ids.js';
import { createSystemClock } from '../platform/system-clock.js';
import { fuzzBudgetMs, withSeed } from '../testing/fuzz-env.js';
import { createSeededRandom, seedFromEnv } from '../testing/seeded-random.js';
import { createDecodeSandbox, type DecodeSandbox } from './decode-sandbox.js';
import { createHostileCorpus, type CorpusKind } from './hostile-corpus.js';
import { createNodeWorkerHost } from './node/node-worker-host.js';

const MALLORY = parseUserId('0190a1b2-0000-8000-8000-00000000000a');
const ALICE = parseUserId('0190a1b2-0000-8000-8000-00000000000b');
const docA = parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-8000-8000-00000000000a:0');
const docB = parseDocId('feed:0190a1b2-0000-7000-8000-000000000001:0190a1b2-0000-8000-8000-00000000000b:0');

const sandboxes: DecodeSandbox[] = [];
afterAll(() => sandboxes.forEach((s) => s.close()));

/** A v2 update that makes Yjs 13.6 loop forever would be ideal; a worker that never answers stands in for it. */
function stallingHost(): ReturnType<typeof createNodeWorkerHost> {
  const real = createNodeWorkerHost();
  return {
    spawn() {
      const w = real.spawn();
      return { ...w, post: (req) => (req.update[0] === 0xee && req.update[1] === 0xee ? undefined : w.post(req)) };
    },
  };
}

describe('decode sandbox (SBX-1..4)', () => {
  it('SBX-2/3 an update that never finishes is quarantined with its author; the worker is replaced and other documents keep working', async () => {
    const sandbox = createDecodeSandbox({ host: stallingHost(), clock: createSystemClock(), budgetMs: 300 });
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
    const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock: createSystemClock(), budgetMs: 2000 });
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

  it('SBX-4 hostile corpus from a signed member: 0 crashes, 0 main-thread hangs, quarantined count reported', async () => {
    const seed = seedFromEnv('sbx-corpus-1'); // fixed in CI; SEED=random-by-hand finds new inputs (see the worker-OOM note in THREAT_MODEL.md)
    await withSeed(seed, async () => {
      const rng = createSeededRandom(seed);
      const corpus = createHostileCorpus(rng);
      const budget = fuzzBudgetMs(3000);
      const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock: createSystemClock(), budgetMs: 500 });
      sandboxes.push(sandbox);
      let maxLoopMs = 0;
      const byKind = new Map<CorpusKind, { n: number; accepted: number; quarantined: number }>();
      const deadline = Date.now() + budget;
      let validRejected = 0;
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
      console.log(`[SBX-4] seed=${seed} updates=${n} quarantined=${s.quarantined} timeouts=${s.timeouts} workerRestarts=${s.restarts} crashes=0 maxCheckMs=${s.maxCheckMs} reasons=${JSON.stringify(reasons)} mainThreadMaxLoopDelayMs=${maxLoopMs.toFixed(0)} | ${kinds}`);
      expect(s.checked).toBe(n);
      expect(validRejected).toBe(0);
      expect(maxLoopMs).toBeLessThan(400);
      expect(s.quarantined).toBeGreaterThan(0);
    });
  });
});
