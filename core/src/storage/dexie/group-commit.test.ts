import { describe, expect, it } from 'vitest';
import type { StorageWrite } from '../../ports/storage.js';
import { createGroupCommit, MAX_GROUP_COMMITS } from './group-commit.js';

const meta = (key: string): StorageWrite => ({ type: 'putMeta', key, value: key });
const keys = (writes: readonly StorageWrite[]): string[] => writes.map((w) => (w.type === 'putMeta' ? w.key : w.type));

/** A fake transaction runner: records each transaction's writes; fails any holding a `bad*` key. */
function recorder() {
  const transactions: string[][] = [];
  let release: (() => void) | undefined;
  const run = async (writes: readonly StorageWrite[]): Promise<void> => {
    transactions.push(keys(writes));
    await new Promise<void>((r) => (release = r));
    if (writes.some((w) => w.type === 'putMeta' && w.key.startsWith('bad'))) throw new Error('conflict');
  };
  const step = async (): Promise<void> => {
    for (let i = 0; i < 5 && release === undefined; i++) await Promise.resolve();
    const r = release;
    release = undefined;
    r?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { transactions, run, step };
}

describe('group commit', () => {
  it('runs the first commit at once and merges what arrived meanwhile, in order', async () => {
    const rec = recorder();
    const g = createGroupCommit(rec.run);
    const done: string[] = [];
    const track = (k: string) => g.commit([meta(k)]).then(() => void done.push(k));
    const all = Promise.all(['a', 'b', 'c', 'd'].map(track));
    expect(rec.transactions).toEqual([['a']]); // alone, without waiting for company
    await rec.step();
    expect(done).toEqual(['a']);
    expect(rec.transactions).toEqual([['a'], ['b', 'c', 'd']]);
    await rec.step();
    await all;
    expect(done).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a failing commit in a merged transaction fails alone; the others are retried and land', async () => {
    const rec = recorder();
    const g = createGroupCommit(rec.run);
    const outcomes = ['a', 'b', 'bad', 'c'].map((k) => g.commit([meta(k)]).then(() => 'ok', () => 'failed'));
    for (let i = 0; i < 6; i++) await rec.step();
    expect(await Promise.all(outcomes)).toEqual(['ok', 'ok', 'failed', 'ok']);
    // a alone; b+bad+c merged and failed (nothing written); then b, bad, c one by one.
    expect(rec.transactions).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it(`merges at most ${MAX_GROUP_COMMITS} commits per transaction`, async () => {
    const rec = recorder();
    const g = createGroupCommit(rec.run);
    const n = MAX_GROUP_COMMITS + 10;
    const all = Promise.all(Array.from({ length: n + 1 }, (_, i) => g.commit([meta(`k${i}`)])));
    for (let i = 0; i < 3; i++) await rec.step();
    await all;
    expect(rec.transactions.map((t) => t.length)).toEqual([1, MAX_GROUP_COMMITS, 10]);
  });
});
