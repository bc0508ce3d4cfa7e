import { describe, expect, it } from 'vitest';
import type { DeviceId, DocId, UserId } from '../ids.js';
import { createSeenCounters } from './seen-counters.js';
import { decodeRecord, encodeRecord } from './record.js';
import { createSerialQueue } from './serial-queue.js';

describe('seen counters (ENV-5 dedup)', () => {
  it('tracks duplicates and reports gaps', () => {
    const s = createSeenCounters();
    for (const c of [1, 2, 5, 3]) s.add('a', 'd', c);
    expect(s.has('a', 'd', 2)).toBe(true);
    expect(s.has('a', 'd', 4)).toBe(false);
    expect(s.max('a', 'd')).toBe(5);
    expect(s.gaps()).toEqual([{ author: 'a', device: 'd', missing: [4] }]);
    s.add('a', 'd', 4);
    expect(s.gaps()).toEqual([]);
  });

  it('C3: keys streams by author as well as device', () => {
    const s = createSeenCounters();
    s.add('mallory', 'd', 7);
    expect(s.has('alice', 'd', 7)).toBe(false);
    expect(s.max('alice', 'd')).toBe(0);
  });
});

describe('stored record codec', () => {
  const change = {
    doc: 'profile:0e83ac55-971a-82bf-857e-ae4544ccf1a2' as DocId,
    kind: 'update' as const,
    author: '0e83ac55-971a-82bf-857e-ae4544ccf1a2' as UserId,
    device: 'd9ae1f40-2820-85f5-934f-525b8056f159' as DeviceId,
    counter: 2 ** 40,
    payload: new Uint8Array([1, 2, 3]),
  };
  it('round-trips and refuses truncated or trailing bytes', () => {
    const bytes = encodeRecord(change);
    expect(decodeRecord(bytes)).toEqual({ ok: true, value: change });
    for (let n = 0; n < bytes.length; n++) expect(decodeRecord(bytes.subarray(0, n)).ok).toBe(false);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(decodeRecord(longer)).toMatchObject({ ok: false, error: { code: 'malformed' } });
  });
});

describe('serial queue', () => {
  it('runs tasks in order even when one fails', async () => {
    const q = createSerialQueue();
    const seen: number[] = [];
    const a = q.run(async () => {
      await Promise.resolve();
      seen.push(1);
    });
    const b = q.run(() => {
      throw new Error('boom');
    });
    const c = q.run(() => seen.push(3));
    await a;
    await expect(b).rejects.toThrow('boom');
    await c;
    expect(seen).toEqual([1, 3]);
  });
});
