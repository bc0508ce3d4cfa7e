import { expect, it } from 'vitest';
import type { CrdtEvent } from '../ports/crdt.js';
import { snapshot, randomMutations, prng, shuffle, randomBytes, type CrdtConformanceKit } from './crdt-conformance-kit.js';

/** Several replicas: save/load, determinism, deltas, concurrent edits, idempotence and order, events. */
export function describeCrdtReplicationClauses(kit: CrdtConformanceKit): void {
  const { backend, seed, actor, replica, set, del } = kit;

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
}
