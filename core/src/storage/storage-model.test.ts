import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { expect, it } from 'vitest';
import { isKithError } from '../errors.js';
import type { DocId } from '../ids.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import { fuzzBudgetMs, withSeed } from '../testing/fuzz-env.js';
import { createSeededRandom, seedFromEnv, type SeededRandom } from '../testing/seeded-random.js';
import { createDexieStorage } from './dexie/dexie-storage.js';
import { createMemoryDatabase, createMemoryStorage } from './memory/memory-storage.js';

const DOCS = ['feed:a:1:0', 'feed:a:1:1', 'feed:b:2:0', 'profile:c'] as DocId[];
const KEYS = ['cursor/a', 'cursor/b', 'key/x', 'seen', 'z'];
const IDS = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'];

function randomWrite(r: SeededRandom): StorageWrite {
  const data = r.bytes(r.int(6));
  switch (r.int(9)) {
    case 0:
    case 1:
      return { type: 'appendUpdate', doc: r.pick(DOCS), data };
    case 2:
      return { type: 'putSnapshot', doc: r.pick(DOCS), data, replaces: r.int(4) };
    case 3:
      return { type: 'deleteDoc', doc: r.pick(DOCS) };
    case 4:
      return { type: 'putMeta', key: r.pick(KEYS), value: r.chance(0.5) ? data : { n: r.int(100), list: [r.int(3)] } };
    case 5:
      return { type: 'deleteMeta', key: r.pick(KEYS) };
    case 6:
    case 7:
      return { type: 'enqueue', id: r.pick(IDS), item: data };
    default:
      return { type: 'dequeue', id: r.pick(IDS) };
  }
}

async function dump(s: Storage): Promise<unknown> {
  const docs = await s.listDocs('');
  return {
    docs: await Promise.all(docs.map(async (d) => [d, await s.loadDoc(d)])),
    meta: await s.listMeta(''),
    outbox: await s.outbox(),
  };
}

const outcome = (p: Promise<void>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (isKithError(e) ? e.code : `thrown: ${String(e)}`),
  );

it('STO-M dexie agrees with the memory model over seeded random commits, reopens included', async () => {
  const seed = seedFromEnv();
  await withSeed(seed, async () => {
    const r = createSeededRandom(seed);
    const indexedDB = new IDBFactory();
    const open = () => createDexieStorage({ name: 'model', indexedDB, IDBKeyRange });
    const database = createMemoryDatabase();
    let model = createMemoryStorage({ database });
    let dexie = await open();
    const deadline = Date.now() + fuzzBudgetMs();
    const counts = { commits: 0, rejected: 0, reopens: 0 };
    try {
      while (Date.now() < deadline || counts.commits < 50) {
        const writes = Array.from({ length: 1 + r.int(6) }, () => randomWrite(r));
        if (r.chance(0.05)) writes.splice(r.int(writes.length), 0, { type: 'appendUpdate', doc: DOCS[0]!, data: [1] as unknown as Uint8Array });
        const [a, b] = await Promise.all([outcome(model.commit(writes)), outcome(dexie.commit(writes))]);
        expect(b, `commit ${counts.commits}`).toBe(a);
        counts.commits += 1;
        if (a !== 'ok') counts.rejected += 1;
        if (r.chance(0.05)) {
          await Promise.all([model.close(), dexie.close()]);
          model = createMemoryStorage({ database });
          dexie = await open();
          counts.reopens += 1;
        }
        expect(await dump(dexie), `after commit ${counts.commits}`).toEqual(await dump(model));
      }
    } finally {
      await Promise.all([model.close(), dexie.close()]);
    }
    expect(counts.rejected).toBeGreaterThan(0);
    console.log(`storage model: ${counts.commits} commits (${counts.rejected} rejected), ${counts.reopens} reopens, seed ${seed}`);
  });
});
