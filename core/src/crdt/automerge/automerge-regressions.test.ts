import { describe, expect, it } from 'vitest';
import type { CrdtDocument, CrdtMutation, Json } from '../../ports/crdt.js';
import { decodeBase64 } from '../../protocol/base64.js';
import { createAutomergeBackend } from './automerge-backend.js';

/**
 * Named regressions of issue #3's Automerge divergences (docs/adr/0011-automerge-causal-delivery.md).
 * Each fixed case failed before the fix.
 */
const backend = createAutomergeBackend();
const actor = (n: number): Uint8Array => new Uint8Array([1, 2, 3, 4, 5, 6, n >> 8, n & 0xff]);
const set = (collection: string, key: string, value: Json): CrdtMutation => ({ op: 'set', collection, key, value });
const del = (collection: string, key: string): CrdtMutation => ({ op: 'delete', collection, key });

function snapshot(doc: CrdtDocument): Record<string, Array<[string, Json]>> {
  const out: Record<string, Array<[string, Json]>> = {};
  for (const c of doc.collections()) out[c] = doc.entries(c);
  return out;
}

/** What the replica's bytes really hold: a fresh replica loaded from its save. */
function reloaded(doc: CrdtDocument): Record<string, Array<[string, Json]>> {
  const copy = backend.load(doc.save(), { actor: actor(999) });
  if (!copy.ok) throw copy.error;
  return snapshot(copy.value);
}

const b64 = (s: string): Uint8Array => {
  const bytes = decodeBase64(s.replace(/\s+/g, ''));
  if (bytes === undefined) throw new Error('fixture is not canonical base64');
  return bytes;
};

/** Replica 2 of the conformance fuzz `SEED=109547`, run 21, before step 56. */
const RUN21_BEFORE = b64(`
hW9Kg25drn8A6AMDCAECAwQFBgAUCAECAwQFBgAVCAECAwQFBgAWATs5phC+KuPVYrSoIPLfZtVyFziByC/jypFO0WlAa/hQBwEI
AwsTDSMCQAxDDVYCChVjIRQjFzQBQgJWGldqgAEZgQEKgwEOBAJ/AAMBBgIEAX59AAIBfwIFAQMBegJ9BQIBAwMCAgEOAH8AAwF/
AAMBfwMFAX8AAwF6AgF+A3wFBAEOB38GbXNnL2swAgZtc2cvazIEBm1zZy9rMwIGbXNnL2s1AwdyY3B0L2swfwdyY3B0L2szAgdy
Y3B0L2s0fwhyZWFjdC9rMQIIcmVhY3QvazMCCHJlYWN0L2s0fwhyZWFjdC9rNQQCAgF+AgACAn8BBAJ8AQACAQICfQt2AwIBAgRy
cxByBgtuCgZ1exF1BQMVFQF7RsYBlgJGVgJGdFYmVkamATYmRiZGJlYCRi00Njc2NTc0MTEuMDkzNzUzNDM5NzQuMDg4ODY3MTg3
NW51bGxmYWxzZW51bGwtNDM1ZmFsc2V7fSJzNzkibnVsbFtudWxsLDQwMV00NDN7fS0zNzh7fW51bGxbXSJzODgiInMxIiJzNiJ9
AAEAAwF9AAEAAgF/AAIBAgB+AQACAX8AfwICAQICfwEGAn4EAgIEeAN4C3sDAXoIDQ==`);

/** What replica 1 sent it at step 56 (`changesSince`: a whole document, 13 changes it lacked). */
const RUN21_DELTA = b64(`
hW9KgyNT4QAAzAUDCAECAwQFBgAUCAECAwQFBgAVCAECAwQFBgAWAYhA9OzzDnSm86NY7ZJbnu+LnQ7urZssLk5u2K4JB6EXBwEO
AxETFiMCQBBDDlYCChWQASEnIyQ0AUICVjJfuQGAASOBARGDAREEAgkBAgB9AgACBAB/AQQBf30IAXp4AQN+A34DAX8DAwEDAn4B
AgIBAwJ2bgEKdwt3CgIBAhcAfwAMAX0AAQMDAX8CAgF/An8ACwF7AgB5fQsHAX93Fwd/Bm1zZy9rMAMGbXNnL2syBAZtc2cvazMC
Bm1zZy9rNH8GbXNnL2s1BQdyY3B0L2swfwdyY3B0L2syAwdyY3B0L2szAgdyY3B0L2s0fgdyY3B0L2s1CHJlYWN0L2swAghyZWFj
dC9rMX8IcmVhY3QvazIDCHJlYWN0L2szAwhyZWFjdC9rNH8IcmVhY3QvazUDAn4BAgIBfgIBAgB/AgIAAgF6AAIBAAIAAgF/AAIB
AgACAX8CAgF6C3YDCncBAgRmAgNuAgECAwJ6fQ0CewQDeXcEC3AQAnQFCHgiIgF6RsYBlgKGAkZWAkZ+hgMmAlZ/1gMCRn6WAUYC
NnlGJka2AjZGJgJGeoYGlgJWRqYCRi2OO47DMAxE76LaEsTvkLmK4SJFUhlbrDeVobsvZKchiRnycao63KBErafARCWhrUeEg2IK
2UWagdnN2X4++/5+7sdrDlXF1pXVEr1Rp7mwLZe9nePq5UCWFZkAWg/uQmzLWd5cHhWgsVVVmrBbO8f4+/28VAUZczpHDaaVFEra
0uUbbDO/z0aNzC9AymNNd1JpbJR2PZvettz0q17BxoCGiDTKYOWJLEdEKQcV6hzcvYHJkR6wmeQffwACAX8AAwEEAAIBfgABAgB/
AgIAfwEEAH0BAAECAAIBAgB/AgMBfQIBAAIBegIAAQACAX0ECngCBHt7fQUEAAMBfnsIFg==`);

describe('Automerge backend regressions (issue #3)', () => {
  it('SEED=109547 run 21: a whole document that deletes the winning value reveals the concurrent one', () => {
    // `react/k1`: the replica shows `{}` (op 7@…15). The document it receives deletes that op
    // and holds a concurrent `null` (op 3@…14, lower counter). Automerge 3.5's patches for the
    // batch said only "conflict", so the replica kept showing `{}` while its bytes held `null`.
    const loaded = backend.load(RUN21_BEFORE, { actor: actor(22) });
    if (!loaded.ok) throw loaded.error;
    const doc = loaded.value;
    expect(doc.get('react', 'k1')).toEqual({});
    const result = doc.apply(RUN21_DELTA);
    expect(result.ok && result.value.keys).toContainEqual({ collection: 'react', key: 'k1' });
    expect(doc.get('react', 'k1')).toBeNull();
    expect(snapshot(doc)).toEqual(reloaded(doc));
  });

  it('the same shape built from scratch: concurrent set + delete of the winner, received as one document', () => {
    const high = backend.create({ actor: actor(0x15) });
    for (let i = 0; i < 5; i++) high.change([set('r', `pad${i}`, i)]); // a higher op counter wins the key
    high.change([set('r', 'k', {})]);
    const low = backend.create({ actor: actor(0x14) });
    low.change([set('r', 'k', null)]);
    const viewer = backend.create({ actor: actor(3) });
    viewer.apply(high.changesSince());
    expect(viewer.get('r', 'k')).toEqual({});
    high.change([del('r', 'k')]);
    const merged = backend.create({ actor: actor(4) });
    merged.apply(low.changesSince());
    merged.apply(high.changesSince());
    expect(merged.get('r', 'k')).toBeNull();
    const events: unknown[] = [];
    viewer.on((e) => events.push(e));
    expect(viewer.apply(merged.save()).ok).toBe(true);
    expect(viewer.get('r', 'k')).toBeNull();
    expect(snapshot(viewer)).toEqual(snapshot(merged));
    expect(snapshot(viewer)).toEqual(reloaded(viewer));
    expect(events).toHaveLength(1);
  });

  it('SEED=1 round 6 (engine, alice2 vs alice): a change held for its dependencies survives save → load', () => {
    // The engine snapshots a feed chunk as `crdt.save()` and, after a restart, replays only the
    // records after the snapshot. A change the backend held back (its dependency had not
    // arrived) was missing from `save`, so a restarted device lost it for good.
    const author = backend.create({ actor: actor(1) });
    const first = author.change([set('msg', 'm1', { text: 'one' })])!;
    const second = author.change([set('msg', 'm1', { text: 'one, edited' }), set('msg', 'm2', { text: 'two' })])!;
    const device = backend.create({ actor: actor(2) });
    expect(device.apply(second).ok).toBe(true); // held: `first` is missing
    expect(device.keys('msg')).toEqual([]);
    const restarted = backend.load(device.save(), { actor: actor(3) });
    if (!restarted.ok) throw restarted.error;
    expect(restarted.value.apply(first).ok).toBe(true);
    expect(snapshot(restarted.value)).toEqual(snapshot(author));
    // …and it travels with changesSince, as Yjs' pending structs do.
    const peer = backend.create({ actor: actor(4) });
    peer.apply(device.changesSince());
    peer.apply(first);
    expect(snapshot(peer)).toEqual(snapshot(author));
    expect(peer.version()).toEqual(author.version());
  });

  it('a held change is released by a whole document, adopted (it covers the replica) or loaded together with the replica’s own save', () => {
    const author = backend.create({ actor: actor(1) });
    author.change([set('c', 'a', 1)]);
    const later = author.change([set('c', 'b', 2)])!;
    const first = backend.create({ actor: actor(4) });
    first.apply(author.changesSince());
    first.change([del('c', 'b')]); // `first` has everything and removed `b` after seeing it
    const firstSave = first.save();

    const empty = backend.create({ actor: actor(2) });
    empty.apply(later);
    expect(empty.entries('c')).toEqual([]);
    expect(empty.apply(firstSave).ok).toBe(true);
    expect(empty.entries('c')).toEqual([['a', 1]]);

    const busy = backend.create({ actor: actor(3) });
    busy.change([set('c', 'z', 0)]);
    busy.apply(later);
    const events: unknown[] = [];
    busy.on((e) => events.push(e));
    expect(busy.apply(firstSave).ok).toBe(true);
    expect(busy.entries('c')).toEqual([['a', 1], ['z', 0]]);
    expect(snapshot(busy)).toEqual(reloaded(busy));
    expect(events).toHaveLength(1);
    expect(backend.load(backend.create({ actor: actor(5) }).save()).ok).toBe(true);

    // A replica whose history the document covers adopts it, and keeps writing as itself.
    const behind = backend.create({ actor: actor(6) });
    behind.apply(author.changesSince());
    expect(behind.apply(firstSave).ok).toBe(true);
    expect(behind.entries('c')).toEqual([['a', 1]]);
    const mine = behind.change([set('c', 'd', 4)])!;
    expect(first.apply(mine).ok).toBe(true);
    expect(snapshot(first)).toEqual(snapshot(behind));
  });

  it('a whole document whose deletes and concurrent sets touch many keys matches a fresh load, with events for each', () => {
    const [p, q] = [backend.create({ actor: actor(0x21) }), backend.create({ actor: actor(0x20) })];
    for (let i = 0; i < 40; i++) p.change([set('k', `x${i}`, { from: 'p', i })]);
    const viewer = backend.create({ actor: actor(7) });
    viewer.apply(p.changesSince());
    for (let i = 0; i < 40; i += 2) q.change([set('k', `x${i}`, { from: 'q', i })]); // concurrent, lower counters
    for (let i = 0; i < 40; i += 4) p.change([del('k', `x${i}`)]); // deletes p's winning value
    viewer.change([set('k', 'own', 1)]);
    const merged = backend.create({ actor: actor(8) });
    merged.apply(p.changesSince());
    merged.apply(q.changesSince());
    const result = viewer.apply(merged.save());
    expect(result.ok).toBe(true);
    const touched = result.ok ? result.value.keys.map((k) => k.key) : [];
    for (let i = 0; i < 40; i += 4) expect(viewer.get('k', `x${i}`)).toEqual({ from: 'q', i });
    expect(touched).toHaveLength(10);
    expect(snapshot(viewer)).toEqual(reloaded(viewer));
    expect(viewer.entries('k').filter(([key]) => key !== 'own')).toEqual(merged.entries('k'));
  });
});
