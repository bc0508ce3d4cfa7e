import { describe, expect, it } from 'vitest';
import { isKithError } from '../errors.js';
import type { CrdtBackend, CrdtDocument, CrdtEvent, CrdtMutation, Json } from '../ports/crdt.js';

/**
 * The contract of `CrdtBackend` (core/src/ports/crdt.ts), as a vitest suite. Every backend runs
 * it in a few lines: `runCrdtBackendConformance('yjs', createYjsBackend())`.
 *
 * The randomized parts read `SEED` (any string; printed on failure) and `FUZZ_BUDGET_MS`.
 */
export function runCrdtBackendConformance(name: string, backend: CrdtBackend): void {
  const seed = process.env['SEED'] ?? String(Date.now() % 1_000_000);
  const budgetMs = Number(process.env['FUZZ_BUDGET_MS'] ?? '2000');
  const actor = (n: number): Uint8Array => new Uint8Array([1, 2, 3, 4, 5, 6, n >> 8, n & 0xff]);
  const replica = (n: number): CrdtDocument => backend.create({ actor: actor(n) });
  const set = (collection: string, key: string, value: Json): CrdtMutation => ({ op: 'set', collection, key, value });
  const del = (collection: string, key: string): CrdtMutation => ({ op: 'delete', collection, key });

  describe(`CRDT backend conformance: ${name}`, () => {
    it('sets, gets and deletes; keys and entries are sorted; collections list non-empty ones', () => {
      const doc = replica(1);
      expect(doc.backend).toBe(backend.name);
      expect(doc.change([set('msg', 'b', { text: 'two' }), set('msg', 'a', 1), set('react', 'x', null)])).toBeInstanceOf(Uint8Array);
      expect(doc.get('msg', 'a')).toBe(1);
      expect(doc.get('react', 'x')).toBeNull();
      expect(doc.get('msg', 'zz')).toBeUndefined();
      expect(doc.get('nope', 'a')).toBeUndefined();
      expect(doc.keys('msg')).toEqual(['a', 'b']);
      expect(doc.entries('msg')).toEqual([['a', 1], ['b', { text: 'two' }]]);
      expect(doc.collections()).toEqual(['msg', 'react']);
      doc.change([del('react', 'x')]);
      expect(doc.get('react', 'x')).toBeUndefined();
      expect(doc.collections()).toEqual(['msg']);
      expect(doc.keys('react')).toEqual([]);
    });

    it('round-trips JSON exactly through change, apply and save/load, and returns frozen values', () => {
      const values: Json[] = [
        0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 0.1, -1.5e-300, 1.7976931348623157e308, 5e-324,
        '', 'héllo 👋 \u0000 \n', true, false, null, [], {}, [1, [2, [3, null]], { a: [] }],
        { text: 'hi', n: 3, nested: { deep: [true, 'x', 1.25] }, empty: null, list: ['a', 'b'] },
      ];
      const a = replica(1);
      const change = a.change(values.map((v, i) => set('v', `k${String(i).padStart(2, '0')}`, v)))!;
      const b = replica(2);
      expect(b.apply(change).ok).toBe(true);
      const loaded = backend.load(a.save(), { actor: actor(3) });
      expect(loaded.ok).toBe(true);
      for (const doc of [a, b, loaded.ok ? loaded.value : a]) {
        values.forEach((v, i) => {
          const got = doc.get('v', `k${String(i).padStart(2, '0')}`);
          expect(got).toStrictEqual(v);
          expect(JSON.stringify(got)).toBe(JSON.stringify(v)); // key order too
          if (typeof got === 'number') expect(Object.is(got, v)).toBe(true);
          if (typeof got === 'object' && got !== null) expect(Object.isFrozen(got)).toBe(true);
        });
      }
    });

    it('rejects values that are not JSON with invalid_argument and changes nothing', () => {
      const doc = replica(1);
      doc.change([set('c', 'keep', 1)]);
      const before = doc.save();
      const bad: unknown[] = [
        -0, NaN, Infinity, -Infinity, undefined, { a: undefined }, [1, undefined], { n: NaN }, [-0],
        // eslint-disable-next-line no-sparse-arrays
        [1, , 2], new Date(0), new Uint8Array(2), 10n, () => 1, Symbol('s'), new Map(),
      ];
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      bad.push(cyclic);
      for (const value of bad) {
        expectInvalid(() => doc.change([set('c', 'new', 0), { op: 'set', collection: 'c', key: 'x', value: value as Json }]));
      }
      expectInvalid(() => doc.change([set('', 'k', 1)]));
      expectInvalid(() => doc.change([set('c', '', 1)]));
      expectInvalid(() => doc.change([{ op: 'nope', collection: 'c', key: 'k' } as unknown as CrdtMutation]));
      expect(doc.get('c', 'new')).toBeUndefined();
      expect(doc.entries('c')).toEqual([['keep', 1]]);
      expect(doc.save()).toEqual(before);
    });

    it('applies a multi-mutation change atomically, with one event', () => {
      const a = replica(1);
      const b = replica(2);
      a.change([set('m', 'x', 1)]);
      b.apply(a.changesSince());
      const events: CrdtEvent[] = [];
      b.on((e) => events.push(e));
      const change = a.change([set('m', 'y', 2), del('m', 'x'), set('r', 'y', 'ok'), set('m', 'y', 3)])!;
      const result = b.apply(change);
      expect(result.ok && result.value.keys).toEqual([
        { collection: 'm', key: 'x' }, { collection: 'm', key: 'y' }, { collection: 'r', key: 'y' },
      ]);
      expect(b.entries('m')).toEqual([['y', 3]]);
      expect(b.entries('r')).toEqual([['y', 'ok']]);
      expect(events).toHaveLength(1);
    });

    it('returns null for a change that changes nothing', () => {
      const doc = replica(1);
      expect(doc.change([])).toBeNull();
      expect(doc.change([del('c', 'absent')])).toBeNull();
      doc.change([set('c', 'k', { a: 1, b: [2] })]);
      const v = doc.version();
      expect(doc.change([set('c', 'k', { b: [2], a: 1 })])).toBeNull();
      expect(doc.change([set('c', 'k', 9), set('c', 'k', { a: 1, b: [2] })])).toBeNull();
      expect(doc.version()).toEqual(v);
    });

    it('saves and loads; a loaded replica keeps editing and syncing; garbage does not load', () => {
      const a = replica(1);
      for (let i = 0; i < 20; i++) a.change([set('msg', `m${i}`, { i, text: `message ${i}` })]);
      a.change([del('msg', 'm3')]);
      const loaded = backend.load(a.save(), { actor: actor(2) });
      if (!loaded.ok) throw loaded.error;
      const b = loaded.value;
      expect(b.entries('msg')).toEqual(a.entries('msg'));
      expect(b.version()).toEqual(a.version());
      const change = b.change([set('msg', 'm99', 'late')])!;
      expect(a.apply(change).ok).toBe(true);
      expect(a.entries('msg')).toEqual(b.entries('msg'));
      const empty = backend.load(replica(3).save());
      expect(empty.ok && empty.value.collections()).toEqual([]);
      const rnd = prng(`${seed}/load`);
      for (const garbage of [new Uint8Array(0), new Uint8Array([0xff]), randomBytes(rnd, 64), a.save().subarray(0, 10)]) {
        const result = backend.load(garbage);
        expect(result.ok, `load of ${garbage.length} garbage bytes`).toBe(false);
        if (!result.ok) expect(result.error.code).toBe('malformed');
      }
    });

    it('is deterministic for a given actor, also after a restart from its own save', () => {
      const run = (): Uint8Array[] => {
        const a = replica(1);
        const out = [a.change([set('msg', 'm1', { text: 'one' })])!];
        const restarted = backend.load(a.save(), { actor: actor(1) });
        if (!restarted.ok) throw restarted.error;
        out.push(restarted.value.change([set('msg', 'm2', { text: 'two' }), set('msg', 'm1', 'edited')])!);
        const peer = replica(2);
        for (const ch of out) expect(peer.apply(ch).ok).toBe(true);
        expect(peer.entries('msg')).toEqual([['m1', 'edited'], ['m2', { text: 'two' }]]);
        expect(peer.entries('msg')).toEqual(restarted.value.entries('msg'));
        return out;
      };
      expect(run()).toEqual(run());
    });

    it('changesSince(version) gives exactly what a replica at that version lacks', () => {
      const a = replica(1);
      const b = replica(2);
      for (let i = 0; i < 5; i++) a.change([set('msg', `old${i}`, i)]);
      b.apply(a.changesSince());
      const at = b.version();
      a.change([set('msg', 'new1', 1), del('msg', 'old0')]);
      a.change([set('react', 'new2', 2)]);
      const missing = a.changesSince(at);
      const result = b.apply(missing);
      expect(result.ok && result.value.keys).toEqual([
        { collection: 'msg', key: 'new1' }, { collection: 'msg', key: 'old0' }, { collection: 'react', key: 'new2' },
      ]);
      expect(b.entries('msg')).toEqual(a.entries('msg'));
      expect(b.version()).toEqual(a.version());
      const none = b.apply(a.changesSince(b.version()));
      expect(none.ok && none.value.keys).toEqual([]);
      // a replica holding only the old state plus `missing` equals `a`
      const c = replica(3);
      for (let i = 0; i < 5; i++) c.change([set('x', `c${i}`, i)]);
      const d = replica(4);
      d.apply(c.changesSince());
      c.change([set('x', 'c9', 9)]);
      const delta = c.changesSince(d.version());
      expect(delta.length).toBeLessThan(c.save().length);
      d.apply(delta);
      expect(d.entries('x')).toEqual(c.entries('x'));
    });

    it('converges on concurrent sets of one key, and on set versus delete', () => {
      const [a, b, c] = [replica(1), replica(2), replica(3)];
      const base = a.change([set('m', 'k', 'base'), set('m', 'd', 'base')])!;
      b.apply(base);
      c.apply(base);
      const changes = [a.change([set('m', 'k', 'from a')])!, b.change([set('m', 'k', 'from b'), del('m', 'd')])!, c.change([set('m', 'd', 'from c')])!];
      for (const doc of [a, b, c]) for (const ch of changes) doc.apply(ch);
      const winner = a.get('m', 'k');
      expect(['from a', 'from b']).toContain(winner);
      for (const doc of [b, c]) {
        expect(doc.entries('m')).toEqual(a.entries('m'));
        expect(doc.version()).toEqual(a.version());
      }
    });

    it('apply is idempotent and commutative (seeded orders with duplicates)', () => {
      const rnd = prng(`${seed}/order`);
      const docs = [replica(1), replica(2), replica(3)];
      const changes: Uint8Array[] = [];
      for (let i = 0; i < 40; i++) {
        const doc = docs[rnd.int(3)]!;
        const ch = doc.change(randomMutations(rnd, 3));
        if (ch !== null) changes.push(ch);
        if (rnd.chance(0.3)) {
          const from = docs[rnd.int(3)]!;
          doc.apply(from.changesSince(doc.version()));
        }
      }
      const reference = replica(9);
      for (const ch of changes) reference.apply(ch);
      for (let round = 0; round < 3; round++) {
        const order = [...changes, ...changes.filter(() => rnd.chance(0.5))];
        shuffle(rnd, order);
        const doc = replica(10 + round);
        for (const ch of order) expect(doc.apply(ch).ok).toBe(true);
        expect(snapshot(doc), `seed ${seed}`).toEqual(snapshot(reference));
      }
    });

    it('rejects truncated, corrupted and random bytes with malformed and leaves the document unchanged', () => {
      const rnd = prng(`${seed}/malformed`);
      const a = replica(1);
      a.change([set('msg', 'seed', { text: 'hello' })]);
      const b = replica(2);
      b.apply(a.changesSince());
      const change = a.change([set('msg', 'm1', { text: 'a message', at: 12 }), del('msg', 'seed')])!;
      const before = snapshot(b);
      const events: CrdtEvent[] = [];
      b.on((e) => events.push(e));
      let truncatedRejected = 0;
      for (let len = 0; len < change.length; len++) {
        const r = b.apply(change.slice(0, len));
        if (!r.ok) {
          truncatedRejected++;
          expect(r.error.code).toBe('malformed');
        }
        expect(snapshot(b)).toEqual(before);
      }
      let mutatedRejected = 0;
      let randomRejected = 0;
      const tries = 150;
      for (let i = 0; i < tries; i++) {
        const probe = replica(3);
        probe.apply(b.save());
        const base = snapshot(probe);
        const mutated = change.slice();
        for (let n = 1 + rnd.int(3); n > 0; n--) mutated[rnd.int(mutated.length)] = rnd.int(256);
        const r1 = probe.apply(mutated);
        if (!r1.ok) {
          mutatedRejected++;
          expect(r1.error.code).toBe('malformed');
          expect(snapshot(probe)).toEqual(base);
        }
        const r2 = b.apply(randomBytes(rnd, 1 + rnd.int(200)));
        if (!r2.ok) {
          randomRejected++;
          expect(r2.error.code).toBe('malformed');
          expect(snapshot(b)).toEqual(before);
        }
      }
      console.log(
        `[${name}] malformed: truncated ${truncatedRejected}/${change.length} rejected, ` +
          `byte-mutated ${mutatedRejected}/${tries}, random ${randomRejected}/${tries} (seed ${seed})`,
      );
      expect(truncatedRejected).toBe(change.length);
      expect(randomRejected).toBeGreaterThanOrEqual(tries * 0.98); // a few random strings are valid (empty) updates
      expect(events).toEqual([]);
      expect(b.apply(change).ok).toBe(true);
      expect(b.entries('msg')).toEqual(a.entries('msg'));
    });

    it('fires one event per change/apply that touched something, with origin and touched keys', () => {
      const a = replica(1);
      const b = replica(2);
      const seenA: CrdtEvent[] = [];
      const seenB: CrdtEvent[] = [];
      const offA = a.on((e) => seenA.push(e));
      b.on((e) => seenB.push(e));
      const c1 = a.change([set('msg', 'm2', 'x'), set('msg', 'm1', 'y')])!;
      expect(seenA).toEqual([{ origin: 'local', keys: [{ collection: 'msg', key: 'm1' }, { collection: 'msg', key: 'm2' }] }]);
      b.apply(c1);
      b.apply(c1);
      expect(seenB).toEqual([{ origin: 'remote', keys: [{ collection: 'msg', key: 'm1' }, { collection: 'msg', key: 'm2' }] }]);
      expect(a.change([set('msg', 'm1', 'y')])).toBeNull();
      expect(seenA).toHaveLength(1);
      b.apply(a.change([del('msg', 'm2')])!);
      expect(seenA[1]).toEqual({ origin: 'local', keys: [{ collection: 'msg', key: 'm2' }] });
      expect(seenB[1]).toEqual({ origin: 'remote', keys: [{ collection: 'msg', key: 'm2' }] });
      offA();
      a.change([set('msg', 'm3', 1)]);
      expect(seenA).toHaveLength(2);
    });

    it(`converges with 3 replicas under random operations and delivery (seeded, FUZZ_BUDGET_MS)`, () => {
      const started = Date.now();
      let runs = 0;
      let ops = 0;
      do {
        const runSeed = `${seed}/converge/${runs}`;
        const rnd = prng(runSeed);
        const docs = [0, 1, 2].map((i) => backend.create({ actor: actor(20 + i) }));
        const inbox: Uint8Array[][] = [[], [], []];
        const steps = 20 + rnd.int(60);
        for (let step = 0; step < steps; step++) {
          const i = rnd.int(3);
          const doc = docs[i]!;
          const roll = rnd.next();
          if (roll < 0.55) {
            const ch = doc.change(randomMutations(rnd, 1 + rnd.int(3)));
            ops++;
            if (ch !== null) for (let j = 0; j < 3; j++) if (j !== i && rnd.chance(0.8)) inbox[j]!.push(ch);
          } else if (roll < 0.8 && inbox[i]!.length > 0) {
            const queue = inbox[i]!;
            const [msg] = queue.splice(rnd.int(queue.length), 1);
            if (rnd.chance(0.2)) queue.push(msg!); // duplicate later
            expect(doc.apply(msg!).ok, runSeed).toBe(true);
          } else if (roll < 0.9) {
            const other = docs[rnd.int(3)]!;
            expect(doc.apply(other.changesSince(doc.version())).ok, runSeed).toBe(true);
          } else if (rnd.chance(0.3)) {
            const loaded = backend.load(doc.save(), { actor: actor(100 + i + 3 * step) });
            if (!loaded.ok) throw new Error(`reload failed, seed ${runSeed}`);
            docs[i] = loaded.value;
          }
        }
        // heal: everyone exchanges state deltas until quiet
        for (const x of docs) for (const y of docs) if (x !== y) y.apply(x.changesSince(y.version()));
        for (const y of docs) for (const x of docs) if (x !== y) y.apply(x.changesSince(y.version()));
        const rebuilt = backend.create({ actor: actor(99) });
        for (const doc of docs) rebuilt.apply(doc.save());
        for (const doc of [...docs.slice(1), rebuilt]) {
          expect(snapshot(doc), `convergence failed, SEED=${runSeed}`).toEqual(snapshot(docs[0]!));
        }
        runs++;
      } while (Date.now() - started < budgetMs);
      console.log(`[${name}] convergence: ${runs} seeded runs, ${ops} random changes, 3 replicas each (seed ${seed})`);
      expect(runs).toBeGreaterThan(0);
    }, budgetMs + 60_000);
  });
}

function expectInvalid(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isKithError(thrown, 'invalid_argument'), String(thrown)).toBe(true);
}

function snapshot(doc: CrdtDocument): Record<string, Array<[string, Json]>> {
  const out: Record<string, Array<[string, Json]>> = {};
  for (const c of doc.collections()) out[c] = doc.entries(c);
  return out;
}

const COLLECTIONS = ['msg', 'react', 'rcpt'];
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];

function randomMutations(rnd: Prng, n: number): CrdtMutation[] {
  const out: CrdtMutation[] = [];
  for (let i = 0; i < n; i++) {
    const collection = COLLECTIONS[rnd.int(COLLECTIONS.length)]!;
    const key = KEYS[rnd.int(KEYS.length)]!;
    if (rnd.chance(0.2)) out.push({ op: 'delete', collection, key });
    else out.push({ op: 'set', collection, key, value: randomJson(rnd, 2) });
  }
  return out;
}

function randomJson(rnd: Prng, depth: number): Json {
  switch (rnd.int(depth > 0 ? 7 : 5)) {
    case 0: return null;
    case 1: return rnd.chance(0.5);
    case 2: return rnd.int(2000) - 1000;
    case 3: return (rnd.int(2 ** 30) + 1) / 1024;
    case 4: return `s${rnd.int(100)}`;
    case 5: return Array.from({ length: rnd.int(3) }, () => randomJson(rnd, depth - 1));
    default: {
      const o: Record<string, Json> = {};
      for (let i = rnd.int(3); i > 0; i--) o[`f${rnd.int(5)}`] = randomJson(rnd, depth - 1);
      return o;
    }
  }
}

interface Prng {
  next(): number;
  int(n: number): number;
  chance(p: number): boolean;
}

/** mulberry32 seeded from a string hash: small, deterministic, good enough for test choices. */
function prng(seed: string): Prng {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let s = h >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), chance: (p) => next() < p };
}

function shuffle<T>(rnd: Prng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function randomBytes(rnd: Prng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rnd.int(256));
}
