import { describe, expect, it } from 'vitest';
import { isKithError } from '../errors.js';
import type { DocId } from '../ids.js';
import { createMemoryDatabase, createMemoryStorage, type MemoryDatabase } from '../storage/memory/memory-storage.js';
import { createFaultyStorage } from './faulty-storage.js';
import { withSeed } from './fuzz-env.js';
import { createSeededRandom, seedFromEnv } from './seeded-random.js';
import { runStorageConformance } from './storage-conformance.js';

// Without faults configured the wrapper is a transparent storage.
const databases = new Map<string, MemoryDatabase>();
runStorageConformance(
  'faulty(memory) without faults',
  (key) => {
    const database = databases.get(key) ?? createMemoryDatabase();
    databases.set(key, database);
    return createFaultyStorage(createMemoryStorage({ database }));
  },
  { reopen: true },
);

const doc = 'feed:c:a:0' as DocId;

describe('createFaultyStorage', () => {
  it('fails every n-th commit with storage_failed and writes nothing for it', async () => {
    const s = createFaultyStorage(createMemoryStorage(), { failCommitEvery: 3 });
    const outcomes: boolean[] = [];
    for (let i = 1; i <= 9; i++) {
      const error: unknown = await s
        .commit([
          { type: 'appendUpdate', doc, data: new Uint8Array([i]) },
          { type: 'enqueue', id: `o${i}`, item: new Uint8Array([i]) },
        ])
        .then(
          () => null,
          (e: unknown) => e,
        );
      if (error !== null) expect(isKithError(error, 'storage_failed')).toBe(true);
      outcomes.push(error === null);
    }
    expect(outcomes).toEqual([true, true, false, true, true, false, true, true, false]);
    const kept = [1, 2, 4, 5, 7, 8];
    expect((await s.loadDoc(doc))!.updates).toEqual(kept.map((i) => new Uint8Array([i])));
    expect((await s.outbox()).map((o) => o.id)).toEqual(kept.map((i) => `o${i}`));
    expect(s.stats()).toEqual({ commits: 9, failed: 3 });
    s.setFaults(false);
    await s.commit([{ type: 'putMeta', key: 'k', value: 1 }]); // commit 10 would fail
    expect(await s.getMeta('k')).toBe(1);
  });

  it('fails commits at a seeded random rate; the store holds exactly the successful ones', async () => {
    const seed = seedFromEnv();
    await withSeed(seed, async () => {
      const source = createSeededRandom(seed);
      const s = createFaultyStorage(createMemoryStorage(), { random: { rate: 0.3, source } });
      const ok: number[] = [];
      for (let i = 0; i < 400; i++) {
        const done = await s.commit([{ type: 'enqueue', id: `o${i}`, item: new Uint8Array([i & 0xff]) }]).then(
          () => true,
          () => false,
        );
        if (done) ok.push(i);
      }
      expect((await s.outbox()).map((o) => o.id)).toEqual(ok.map((i) => `o${i}`));
      const { failed } = s.stats();
      expect(failed).toBe(400 - ok.length);
      expect(failed).toBeGreaterThan(80);
      expect(failed).toBeLessThan(160);
      console.log(`faulty storage: ${failed}/400 commits failed at rate 0.3 (seed ${seed})`);
    });
  });

  it('rejects nonsense options', () => {
    const inner = createMemoryStorage();
    expect(() => createFaultyStorage(inner, { failCommitEvery: 0 })).toThrow(RangeError);
    expect(() => createFaultyStorage(inner, { random: { rate: 2, source: createSeededRandom(1) } })).toThrow(RangeError);
  });
});
