import { describe, expect, it } from 'vitest';
import type { AppendRequest, RelayStore } from './ports.js';

/** A fresh store for one test, and how to dispose of it. */
export interface StoreFixture {
  readonly store: RelayStore;
  cleanup(): Promise<void>;
  /** Re-opens the same data (persistent stores only): checks that nothing acknowledged is lost. */
  reopen?(): Promise<RelayStore>;
}

const hash = (s: string): string => s.padEnd(64, '0').slice(0, 64);

function req(doc: string, counter: number, body: string, device = 'd1', to = counter): AppendRequest {
  return { doc, author: 'a1', device, counter, to, kind: 'update', hash: hash(body), bytes: new TextEncoder().encode(body) };
}

/** A version 2 range `from..to` (BATCH-7) of device d1. */
const range = (doc: string, from: number, to: number, body: string): AppendRequest => req(doc, from, body, 'd1', to);

async function* chunks(parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) {
    await Promise.resolve();
    yield new TextEncoder().encode(p);
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<string> {
  let s = '';
  for await (const c of it) s += new TextDecoder().decode(c);
  return s;
}

/**
 * The contract every relay store implements (memory, SQLite; PostgreSQL later). Each case
 * cites the rule it checks. Prints one summary line per store.
 */
export function runRelayStoreConformance(name: string, open: () => Promise<StoreFixture>): void {
  const run = (title: string, fn: (f: StoreFixture) => Promise<void>): void => {
    it(title, async () => {
      const f = await open();
      try {
        await fn(f);
      } finally {
        await f.cleanup();
      }
    });
  };

  describe(`relay store conformance: ${name}`, () => {
    run('appends in order with increasing seqs; reads after a cursor, paginated (RLY-11)', async ({ store }) => {
      const out = await store.docs.append([req('x', 1, 'a'), req('y', 1, 'b'), req('x', 2, 'c')]);
      expect(out.map((o) => o.status)).toEqual(['stored', 'stored', 'stored']);
      const seqs = out.map((o) => ('seq' in o ? o.seq : -1));
      expect(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!).toBe(true);
      const page1 = await store.docs.read('x', 0, 1);
      expect(page1.map((e) => new TextDecoder().decode(e.bytes))).toEqual(['a']);
      const page2 = await store.docs.read('x', page1[0]!.seq, 10);
      expect(page2.map((e) => new TextDecoder().decode(e.bytes))).toEqual(['c']);
      expect(await store.docs.read('x', seqs[2]!, 10)).toEqual([]);
      expect(await store.docs.storedBytes()).toBe(3);
    });

    run('maxSeq is the highest durable seq relay-wide, 0 when empty: the CAP-5 rotation point', async ({ store }) => {
      expect(await store.docs.maxSeq()).toBe(0);
      const out = await store.docs.append([req('x', 1, 'a'), req('y', 1, 'b')]);
      const last = out.at(-1);
      expect(last !== undefined && 'seq' in last ? last.seq : -1).toBe(await store.docs.maxSeq());
      await store.docs.append([req('x', 1, 'a')]); // a duplicate stores nothing new
      expect(await store.docs.maxSeq()).toBe(last !== undefined && 'seq' in last ? last.seq : -1);
    });

    run('identical retry is a duplicate with the same seq; different bytes is equivocation (ENV-5)', async ({ store }) => {
      const [first] = await store.docs.append([req('x', 1, 'a')]);
      const out = await store.docs.append([req('x', 1, 'a'), req('x', 1, 'other'), req('x', 1, 'a')]);
      expect(out).toEqual([
        { status: 'duplicate', seq: (first as { seq: number }).seq },
        { status: 'equivocation' },
        { status: 'duplicate', seq: (first as { seq: number }).seq },
      ]);
      expect((await store.docs.read('x', 0, 10)).length).toBe(1);
    });

    run('H1: a counter below the head that was never stored is stored; only the exact counter decides (ENV-5)', async ({ store }) => {
      const out = await store.docs.append([req('x', 5, 'a'), req('x', 3, 'b'), req('x', 3, 'c', 'd2'), req('x', 6, 'd')]);
      expect(out.map((o) => o.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
      const again = await store.docs.append([req('x', 3, 'b'), req('x', 3, 'B'), req('x', 4, 'e')]);
      expect(again.map((o) => o.status)).toEqual(['duplicate', 'equivocation', 'stored']);
      expect((again[0] as { seq: number }).seq).toBe((out[1] as { seq: number }).seq);
    });

    run('BATCH-7: a range is one entry; the same range and bytes is a duplicate, any other overlap equivocation', async ({ store }) => {
      const out = await store.docs.append([range('x', 1, 3, 'r1'), range('x', 4, 10, 'r2')]);
      expect(out.map((o) => o.status)).toEqual(['stored', 'stored']);
      const seq = (o: unknown): number => (o as { seq: number }).seq;
      expect((await store.docs.read('x', 0, 10)).length).toBe(2);
      const again = await store.docs.append([
        range('x', 4, 10, 'r2'), // the same range, the same bytes
        range('x', 4, 10, 'R2'), // the same range, other bytes
        req('x', 2, 'single'), // one counter inside a stored range
        range('x', 3, 4, 'straddle'), // across two stored ranges
        range('x', 8, 12, 'tail'), // overlaps the end of one
        range('x', 1, 2, 'prefix'), // a prefix of one, other bytes
      ]);
      expect(again).toEqual([
        { status: 'duplicate', seq: seq(out[1]) },
        { status: 'equivocation' },
        { status: 'equivocation' },
        { status: 'equivocation' },
        { status: 'equivocation' },
        { status: 'equivocation' },
      ]);
      expect((await store.docs.read('x', 0, 10)).length).toBe(2);
    });

    run('BATCH-7: ranges of a stream need no order (H1); overlaps inside one batch are decided too; other streams are apart', async ({ store }) => {
      const out = await store.docs.append([
        range('x', 20, 29, 'late'),
        range('x', 11, 19, 'gap'), // below the head, never stored: stored
        range('x', 25, 30, 'inside-batch'), // overlaps the first request of this batch
        range('x', 11, 19, 'gap'), // a duplicate of the second
        req('x', 20, 'other-device', 'd2'),
        range('y', 20, 29, 'other-doc'),
      ]);
      expect(out.map((o) => o.status)).toEqual(['stored', 'stored', 'equivocation', 'duplicate', 'stored', 'stored']);
      expect((out[3] as { seq: number }).seq).toBe((out[1] as { seq: number }).seq);
      expect((await store.docs.append([range('x', 1, 10, 'head')]))[0]!.status).toBe('stored');
      expect((await store.docs.append([req('x', 30, 'next')]))[0]!.status).toBe('stored');
    });

    run('BATCH-7: a compacted range still decides duplicates and equivocation (SNAP-1, SNAP-8)', async ({ store }) => {
      const out = await store.docs.append([range('x', 1, 5, 'r'), req('x', 6, 'snap')]);
      const seqs = out.map((o) => (o as { seq: number }).seq);
      expect(await store.docs.compact('x', seqs[1]!, seqs[0]!)).toBe(1);
      expect(await store.docs.append([range('x', 1, 5, 'r'), req('x', 3, 'x3'), range('x', 5, 7, 'over')])).toEqual([
        { status: 'duplicate', seq: seqs[0] },
        { status: 'equivocation' },
        { status: 'equivocation' },
      ]);
    });

    run('compaction drops superseded entries, keeps the snapshot and later ones, remembers counters (SNAP-1)', async ({ store }) => {
      const out = await store.docs.append([req('x', 1, 'a'), req('x', 2, 'b'), req('x', 3, 'snap'), req('x', 4, 'c')]);
      const seqs = out.map((o) => (o as { seq: number }).seq);
      expect(await store.docs.compact('x', seqs[2]!, seqs[1]!)).toBe(2);
      const left = await store.docs.read('x', 0, 10);
      expect(left.map((e) => e.seq)).toEqual([seqs[2], seqs[3]]);
      expect(await store.docs.storedBytes()).toBe(5);
      // SNAP-8: a dropped envelope is acknowledged with its run's highest seq.
      expect(await store.docs.append([req('x', 1, 'a'), req('x', 2, 'b'), req('x', 1, 'A')])).toEqual([
        { status: 'duplicate', seq: seqs[1] },
        { status: 'duplicate', seq: seqs[1] },
        { status: 'equivocation' },
      ]);
      const [next] = await store.docs.append([req('x', 5, 'e')]);
      expect((next as { seq: number }).seq).toBeGreaterThan(seqs[3]!);
    });

    run('SNAP-7: compaction keeps one run per 1,024 consecutive dropped entries of a stream, not one row per envelope', async ({ store }) => {
      const n = 2500;
      const out = await store.docs.append([...Array.from({ length: n }, (_, i) => req('x', i + 1, `e${i}`)), req('x', 1, 'o', 'd2'), req('x', n + 1, 'snap')]);
      const seqs = out.map((o) => (o as { seq: number }).seq);
      expect(await store.docs.compactedBytes()).toBe(0);
      expect(await store.docs.compact('x', seqs[n + 1]!, seqs[n]!)).toBe(n + 1);
      // 3 runs of device d1 (1,024 + 1,024 + 452) and 1 of d2: 4 × (2 KiB digest + keys), whatever n is.
      const bookkeeping = await store.docs.compactedBytes();
      expect(bookkeeping).toBe(4 * (2048 + 'a1'.length + 'd1'.length + 32));
      const left = await store.docs.read('x', 0, 10);
      expect(left.map((e) => e.seq)).toEqual([seqs[n + 1]]);
      // Every dropped envelope pushed again is a duplicate; other bytes at a covered counter are
      // refused (the digest's rare false positive is a duplicate: never stored either).
      const retries = await store.docs.append(Array.from({ length: n }, (_, i) => req('x', i + 1, `e${i}`)));
      expect(retries.every((o) => o.status === 'duplicate')).toBe(true);
      const forged = await store.docs.append(Array.from({ length: 500 }, (_, i) => req('x', i * 5 + 1, `forged${i}`)));
      expect(forged.filter((o) => o.status === 'equivocation').length).toBeGreaterThanOrEqual(498);
      expect(forged.some((o) => o.status === 'stored')).toBe(false);
      expect((await store.docs.read('x', 0, 10)).map((e) => e.seq)).toEqual([seqs[n + 1]]);
      expect(await store.docs.compactedBytes()).toBe(bookkeeping);
    });

    run('SNAP-8: a run ends at a gap (an unstored counter stays fresh, H1), crosses no edge, and grows across compactions', async ({ store }) => {
      const seqOf = (o: unknown): number => (o as { seq: number }).seq;
      const first = await store.docs.append([req('x', 1, 'a'), range('x', 2, 4, 'b'), req('x', 7, 'c'), req('x', 1, 's1', 'snapper')]);
      await store.docs.compact('x', seqOf(first[3]), seqOf(first[2]));
      // Runs 1..4 (two entries) and 7..7; counters 5, 6 were never stored.
      expect(await store.docs.compactedBytes()).toBe(2 * (2048 + 4 + 32));
      expect(await store.docs.append([range('x', 2, 4, 'b'), range('x', 2, 3, 'b'), range('x', 4, 5, 'x'), req('x', 5, 'gap')])).toEqual([
        { status: 'duplicate', seq: seqOf(first[1]) },
        { status: 'equivocation' }, // inside the run, but not a dropped range: the digest does not hold it
        { status: 'equivocation' }, // crosses the run's edge
        { status: 'stored', seq: expect.any(Number) as number },
      ]);
      const later = await store.docs.append([req('x', 8, 'd'), req('x', 9, 'e'), req('x', 2, 's2', 'snapper')]);
      await store.docs.compact('x', seqOf(later[2]), seqOf(later[1]));
      // 5 (stored above) extends run 1..4, 8..9 extend 7..7; the first snapshot (s1) is now
      // superseded too: a run of its own stream.
      expect(await store.docs.compactedBytes()).toBe(2 * (2048 + 4 + 32) + (2048 + 'a1snapper'.length + 32));
      expect(await store.docs.append([req('x', 9, 'e'), req('x', 5, 'gap'), req('x', 1, 'a'), req('x', 6, 'fresh')])).toEqual([
        { status: 'duplicate', seq: seqOf(later[1]) },
        { status: 'duplicate', seq: expect.any(Number) as number },
        { status: 'duplicate', seq: expect.any(Number) as number },
        { status: 'stored', seq: expect.any(Number) as number },
      ]);
    });

    run('accounts: case-insensitive unique usernames, unique user ids (ACC-1)', async ({ store }) => {
      const a = { userId: 'u1', username: 'Alice', usernameKey: 'alice', signKey: 'k1', boxKey: 'b1', createdAt: 1 };
      expect(await store.accounts.createAccount(a)).toBe('created');
      expect(await store.accounts.createAccount({ ...a, userId: 'u2', username: 'ALICE' })).toBe('taken');
      expect(await store.accounts.createAccount({ ...a, usernameKey: 'other' })).toBe('taken');
      expect((await store.accounts.getAccountByUsername('alice'))?.username).toBe('Alice');
      expect((await store.accounts.getAccount('u1'))?.signKey).toBe('k1');
      expect(await store.accounts.getAccount('u2')).toBeUndefined();
      expect((await store.accounts.getAccount('u1'))?.identity).toBeUndefined();
      expect(await store.accounts.createAccount({ ...a, userId: 'u3', usernameKey: 'carol', identity: 'ab'.repeat(128) })).toBe('created');
      expect((await store.accounts.getAccountByUsername('carol'))?.identity).toBe('ab'.repeat(128));
    });

    run('backups only move forward (RLY-15)', async ({ store }) => {
      expect(await store.accounts.putBackup('u1', { version: 2, bytes: new Uint8Array([2]) })).toBe('stored');
      expect(await store.accounts.putBackup('u1', { version: 2, bytes: new Uint8Array([9]) })).toBe('rollback');
      expect(await store.accounts.putBackup('u1', { version: 1, bytes: new Uint8Array([1]) })).toBe('rollback');
      expect(await store.accounts.putBackup('u1', { version: 3, bytes: new Uint8Array([3]) })).toBe('stored');
      expect(await store.accounts.getBackup('u1')).toEqual({ version: 3, bytes: new Uint8Array([3]) });
    });

    run('sessions expire and are pruned (SES-3)', async ({ store }) => {
      await store.accounts.putSession({ tokenHash: 'h1', userId: 'u1', device: 'd', expiresAt: 100 });
      await store.accounts.putSession({ tokenHash: 'h2', userId: 'u1', device: 'd', expiresAt: 200 });
      expect((await store.accounts.getSession('h1'))?.expiresAt).toBe(100);
      expect(await store.accounts.pruneSessions(150)).toBe(1);
      expect(await store.accounts.getSession('h1')).toBeUndefined();
      await store.accounts.deleteSession('h2');
      expect(await store.accounts.getSession('h2')).toBeUndefined();
    });

    run('capability versions advance by exactly one (CAP-2)', async ({ store }) => {
      const c = { scope: 'conv:x', version: 1, readHash: 'r', controllers: ['k'] };
      expect(await store.accounts.putCapability({ ...c, version: 2 })).toBe('conflict');
      expect(await store.accounts.putCapability(c)).toBe('stored');
      expect(await store.accounts.putCapability(c)).toBe('conflict');
      expect(await store.accounts.putCapability({ ...c, version: 2, writeHash: 'w', controllers: ['k', 'j'] })).toBe('stored');
      expect(await store.accounts.getCapability('conv:x')).toEqual({ scope: 'conv:x', version: 2, readHash: 'r', writeHash: 'w', controllers: ['k', 'j'] });
      // CAP-5: retired read tokens round-trip with their `until` seq; a version without them drops them.
      const retired = [{ readHash: 'r', until: 7 }];
      expect(await store.accounts.putCapability({ ...c, version: 3, readHash: 'r3', controllers: ['k'], retired })).toBe('stored');
      expect((await store.accounts.getCapability('conv:x'))?.retired).toEqual(retired);
      expect(await store.accounts.putCapability({ ...c, version: 4, readHash: 'r4', controllers: ['k'] })).toBe('stored');
      expect((await store.accounts.getCapability('conv:x'))?.retired).toBeUndefined();
    });

    run('blobs: streamed, verified, size-limited, ranged, charged to the first uploader (BLOB-*)', async ({ store }) => {
      const okVerify = () => ({ ok: true }) as const;
      const put = await store.blobs.put(chunks(['hello ', 'world']), { id: 'b1', owner: 'u1', maxBytes: 100, verify: okVerify });
      expect(put).toEqual({ status: 'stored', size: 11 });
      expect(await store.blobs.put(chunks(['hello world']), { id: 'b1', owner: 'u2', maxBytes: 100, verify: okVerify })).toEqual({ status: 'exists', size: 11 });
      expect(await store.blobs.put(chunks(['x'.repeat(60), 'y'.repeat(60)]), { id: 'b2', owner: 'u1', maxBytes: 100, verify: okVerify })).toEqual({ status: 'rejected', code: 'too_large' });
      expect(await store.blobs.put(chunks(['abc']), { id: 'b3', owner: 'u1', maxBytes: 100, verify: () => ({ ok: false, code: 'malformed' }) })).toEqual({ status: 'rejected', code: 'malformed' });
      expect(await store.blobs.stat('b2')).toBeUndefined();
      expect(await store.blobs.stat('b3')).toBeUndefined();
      expect(await collect(store.blobs.read('b1', 6, 10))).toBe('world');
      expect(await collect(store.blobs.read('b1', 0, 10))).toBe('hello world');
      expect(await store.blobs.usage('u1')).toBe(11);
      expect(await store.blobs.usage('u2')).toBe(0);
      expect(await store.blobs.storedBytes()).toBe(11);
    });

    run('persistent stores keep every acknowledged write across a reopen (RLY-10)', async (f) => {
      if (f.reopen === undefined) return;
      const out = await f.store.docs.append(Array.from({ length: 50 }, (_, i) => req('x', i + 1, `e${i}`)));
      await f.store.accounts.putBackup('u1', { version: 1, bytes: new Uint8Array([1]) });
      const again = await f.reopen();
      const entries = await again.docs.read('x', 0, 100);
      expect(entries.map((e) => e.seq)).toEqual(out.map((o) => (o as { seq: number }).seq));
      expect((await again.docs.append([req('x', 50, 'e49')]))[0]!.status).toBe('duplicate');
      expect((await again.accounts.getBackup('u1'))?.version).toBe(1);
      console.log(`[conformance ${name}] reopen: ${entries.length}/50 entries kept`);
    });
  });
}
