import * as Y from 'yjs';
import type { UpdateFormat } from './sandbox-protocol.js';

/** A source of randomness for the corpus (a seeded PRNG in tests). */
export interface CorpusRandom {
  int(maxExclusive: number): number;
}

export type CorpusKind = 'random' | 'mutated-v1' | 'mutated-v2' | 'deep' | 'huge' | 'valid';

export interface CorpusItem {
  readonly kind: CorpusKind;
  readonly format: UpdateFormat;
  readonly update: Uint8Array;
}

/** Valid updates in the shape the Yjs backend writes: collections (top-level maps) of JSON values. */
function validUpdates(rng: CorpusRandom): { v1: Uint8Array; v2: Uint8Array } {
  const doc = new Y.Doc();
  const a = new Y.Doc();
  const n = 1 + rng.int(6);
  for (let i = 0; i < n; i++) {
    const target = rng.int(2) === 0 ? doc : a;
    target.transact(() => {
      const m = target.getMap(rng.int(2) === 0 ? 'msg' : 'react');
      m.set(`k${rng.int(50)}`, { text: 'x'.repeat(rng.int(40)), at: rng.int(1e9), n: [1, 2, { y: null }] });
      if (rng.int(3) === 0) m.delete(`k${rng.int(50)}`);
    });
  }
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(a));
  return { v1: Y.encodeStateAsUpdate(doc), v2: Y.encodeStateAsUpdateV2(doc) };
}

function mutate(rng: CorpusRandom, input: Uint8Array): Uint8Array {
  let b = Array.from(input);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(Math.max(1, b.length));
    switch (rng.int(5)) {
      case 0:
        b[at] = rng.int(256);
        break;
      case 1:
        b[at] = (b[at] ?? 0) ^ (1 << rng.int(8));
        break;
      case 2:
        b.splice(at, 1 + rng.int(4));
        break;
      case 3:
        b.splice(at, 0, ...Array.from({ length: 1 + rng.int(6) }, () => rng.int(256)));
        break;
      default: {
        const from = rng.int(Math.max(1, b.length));
        b = [...b.slice(0, at), ...b.slice(from, from + 1 + rng.int(16)), ...b.slice(at)];
      }
    }
  }
  return Uint8Array.from(b);
}

/** A JSON value nested `depth` levels deep inside a map entry. */
function deep(depth: number): Uint8Array {
  const doc = new Y.Doc();
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  try {
    doc.getMap('msg').set('deep', v);
  } catch {
    doc.getMap('msg').set('deep', 'too deep to encode');
  }
  return Y.encodeStateAsUpdate(doc);
}

/** Nested shared types (maps inside maps), which the backend never writes. */
function nestedTypes(depth: number): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    let m = doc.getMap('msg');
    for (let i = 0; i < depth; i++) {
      const child = new Y.Map<unknown>();
      m.set('c', child);
      m = child;
    }
  });
  return Y.encodeStateAsUpdate(doc);
}

function huge(rng: CorpusRandom): Uint8Array {
  const doc = new Y.Doc();
  const m = doc.getMap('msg');
  if (rng.int(2) === 0) m.set('big', 'x'.repeat(2 * 1024 * 1024));
  else doc.transact(() => { for (let i = 0; i < 20_000; i++) m.set(`k${i}`, i); });
  return Y.encodeStateAsUpdate(doc);
}

export interface HostileCorpus {
  next(): CorpusItem;
}

/**
 * The hostile corpus (SBX-4): random bytes, mutated valid v1 and v2 updates (the class that makes
 * Yjs 13.6 hang, yjs#687), deeply nested values and types, huge inserts (2 MiB string, 20,000
 * entries), and some valid updates, which must be accepted. Bases are built once (building Yjs
 * documents costs milliseconds), then mutated per item.
 */
export function createHostileCorpus(rng: CorpusRandom): HostileCorpus {
  const bases = Array.from({ length: 24 }, () => validUpdates(rng));
  const hugeOnes = [huge({ int: () => 0 }), huge({ int: () => 1 })];
  const deepOnes = [deep(300), deep(3000), nestedTypes(100), nestedTypes(600)];
  const base = (): { v1: Uint8Array; v2: Uint8Array } => bases[rng.int(bases.length)]!;
  return {
    next(): CorpusItem {
      const roll = rng.int(100);
      if (roll < 10) return { kind: 'random', format: rng.int(2) === 0 ? 'yjs-v1' : 'yjs-v2', update: Uint8Array.from({ length: rng.int(400) }, () => rng.int(256)) };
      if (roll < 40) return { kind: 'mutated-v1', format: 'yjs-v1', update: mutate(rng, base().v1) };
      if (roll < 88) return { kind: 'mutated-v2', format: 'yjs-v2', update: mutate(rng, base().v2) };
      if (roll < 92) return { kind: 'deep', format: 'yjs-v1', update: deepOnes[rng.int(deepOnes.length)]! };
      if (roll < 93) return { kind: 'huge', format: 'yjs-v1', update: hugeOnes[rng.int(2)]! };
      const v = base();
      return rng.int(2) === 0 ? { kind: 'valid', format: 'yjs-v1', update: v.v1 } : { kind: 'valid', format: 'yjs-v2', update: v.v2 };
    },
  };
}
