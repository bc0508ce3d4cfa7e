import { describe, expect, it } from 'vitest';
import { isKithError } from '../errors.js';
import type { CrdtBackendName, CrdtDocument, CrdtMutation, Json } from '../ports/crdt.js';
import { createCrdtBackend } from './index.js';

/** Same mutations, same reads — byte for byte once serialized — on every backend. */
describe('CRDT backends agree', () => {
  const names: CrdtBackendName[] = ['yjs', 'automerge'];
  const dump = (doc: CrdtDocument): string =>
    JSON.stringify(doc.collections().map((c) => [c, doc.entries(c)]));

  it('give identical reads for the same seeded mutations, live, synced and reloaded', () => {
    const seed = process.env['SEED'] ?? 'cross-backend';
    let s = [...seed].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619), 2166136261) >>> 0;
    const next = (n: number): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s % n;
    };
    const values: Json[] = [null, true, 0, -7, 3.25, 1e21, 'text', ['a', [1, { z: 1, a: 2 }]], { b: 1, a: { y: [], x: {} } }];
    const batches: CrdtMutation[][] = Array.from({ length: 200 }, () =>
      Array.from({ length: 1 + next(3) }, (): CrdtMutation => {
        const collection = ['msg', 'react', 'rcpt'][next(3)]!;
        const key = `k${next(20)}`;
        return next(5) === 0 ? { op: 'delete', collection, key } : { op: 'set', collection, key, value: values[next(values.length)]! };
      }),
    );
    const dumps = names.map((name) => {
      const backend = createCrdtBackend(name);
      const doc = backend.create({ actor: new Uint8Array(8).fill(1) });
      const peer = backend.create({ actor: new Uint8Array(8).fill(2) });
      let nulls = 0;
      for (const batch of batches) {
        const change = doc.change(batch);
        if (change === null) nulls++;
        else expect(peer.apply(change).ok).toBe(true);
      }
      const loaded = backend.load(doc.save());
      if (!loaded.ok) throw loaded.error;
      expect(dump(peer)).toBe(dump(doc));
      expect(dump(loaded.value)).toBe(dump(doc));
      return `${nulls}|${dump(doc)}`;
    });
    expect(dumps[1]).toBe(dumps[0]);
    console.log(`[crdt] ${batches.length} batches, identical reads on ${names.join(' and ')} (seed ${seed})`);
  });

  it('refuses an unknown backend name with invalid_argument', () => {
    let error: unknown;
    try {
      createCrdtBackend('nope' as CrdtBackendName);
    } catch (e) {
      error = e;
    }
    expect(isKithError(error, 'invalid_argument')).toBe(true);
  });
});
