import { expect, it } from 'vitest';
import type { CrdtEvent, CrdtMutation, Json } from '../ports/crdt.js';
import { expectInvalid, type CrdtConformanceKit } from './crdt-conformance-kit.js';

/** One replica: set, get, delete, JSON fidelity, invalid values, atomic changes, no-op changes. */
export function describeCrdtLocalClauses(kit: CrdtConformanceKit): void {
  const { backend, actor, replica, set, del } = kit;

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
}
