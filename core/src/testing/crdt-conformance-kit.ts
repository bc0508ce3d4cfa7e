import { expect } from 'vitest';
import { isKithError } from '../errors.js';
import type { CrdtBackend, CrdtDocument, CrdtMutation, Json } from '../ports/crdt.js';

/** What every clause of the CRDT backend conformance suite works with. */
export interface CrdtConformanceKit {
  readonly name: string;
  readonly backend: CrdtBackend;
  /** `SEED` (any string; printed on failure), else drawn from the clock. */
  readonly seed: string;
  readonly budgetMs: number;
  actor(n: number): Uint8Array;
  /** A fresh document with `actor(n)`. */
  replica(n: number): CrdtDocument;
  set(collection: string, key: string, value: Json): CrdtMutation;
  del(collection: string, key: string): CrdtMutation;
}

export function createCrdtConformanceKit(name: string, backend: CrdtBackend): CrdtConformanceKit {
  const seed = process.env['SEED'] ?? String(Date.now() % 1_000_000);
  const budgetMs = Number(process.env['FUZZ_BUDGET_MS'] ?? '2000');
  const actor = (n: number): Uint8Array => new Uint8Array([1, 2, 3, 4, 5, 6, n >> 8, n & 0xff]);
  const replica = (n: number): CrdtDocument => backend.create({ actor: actor(n) });
  const set = (collection: string, key: string, value: Json): CrdtMutation => ({ op: 'set', collection, key, value });
  const del = (collection: string, key: string): CrdtMutation => ({ op: 'delete', collection, key });
  return { name, backend, seed, budgetMs, actor, replica, set, del };
}

export function expectInvalid(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isKithError(thrown, 'invalid_argument'), String(thrown)).toBe(true);
}

export function snapshot(doc: CrdtDocument): Record<string, Array<[string, Json]>> {
  const out: Record<string, Array<[string, Json]>> = {};
  for (const c of doc.collections()) out[c] = doc.entries(c);
  return out;
}

const COLLECTIONS = ['msg', 'react', 'rcpt'];
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];

export function randomMutations(rnd: Prng, n: number): CrdtMutation[] {
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

export interface Prng {
  next(): number;
  int(n: number): number;
  chance(p: number): boolean;
}

/** mulberry32 seeded from a string hash: small, deterministic, good enough for test choices. */
export function prng(seed: string): Prng {
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

export function shuffle<T>(rnd: Prng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

export function randomBytes(rnd: Prng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rnd.int(256));
}
