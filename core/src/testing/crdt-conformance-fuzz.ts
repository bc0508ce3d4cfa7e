import { expect, it } from 'vitest';
import type { CrdtEvent } from '../ports/crdt.js';
import { snapshot, randomMutations, prng, randomBytes, type CrdtConformanceKit } from './crdt-conformance-kit.js';

/** Hostile bytes (truncated, corrupted, random) and seeded 3-replica convergence under `FUZZ_BUDGET_MS`. */
export function describeCrdtFuzzClauses(kit: CrdtConformanceKit): void {
  const { name, backend, seed, budgetMs, actor, replica, set, del } = kit;

  it('rejects truncated, corrupted and random bytes with malformed and leaves the document unchanged', () => {
    const rnd = prng(`${seed}/malformed`);
    const a = replica(1);
    a.change([set('msg', 'seed', { text: 'hello' })]);
    const b = replica(2);
    b.apply(a.changesSince());
    const change = a.change([set('msg', 'm1', { text: 'a message', at: 12 }), del('msg', 'seed')])!;
    const before = snapshot(b);
    const events: CrdtEvent[] = [];
    b.on((e) => events.push(e));
    let truncatedRejected = 0;
    for (let len = 0; len < change.length; len++) {
      const r = b.apply(change.slice(0, len));
      if (!r.ok) {
        truncatedRejected++;
        expect(r.error.code).toBe('malformed');
      }
      expect(snapshot(b)).toEqual(before);
    }
    let mutatedRejected = 0;
    let randomRejected = 0;
    const tries = 150;
    for (let i = 0; i < tries; i++) {
      const probe = replica(3);
      probe.apply(b.save());
      const base = snapshot(probe);
      const mutated = change.slice();
      for (let n = 1 + rnd.int(3); n > 0; n--) mutated[rnd.int(mutated.length)] = rnd.int(256);
      const r1 = probe.apply(mutated);
      if (!r1.ok) {
        mutatedRejected++;
        expect(r1.error.code).toBe('malformed');
        expect(snapshot(probe)).toEqual(base);
      }
      const r2 = b.apply(randomBytes(rnd, 1 + rnd.int(200)));
      if (!r2.ok) {
        randomRejected++;
        expect(r2.error.code).toBe('malformed');
        expect(snapshot(b)).toEqual(before);
      }
    }
    console.log(
      `[${name}] malformed: truncated ${truncatedRejected}/${change.length} rejected, ` +
        `byte-mutated ${mutatedRejected}/${tries}, random ${randomRejected}/${tries} (seed ${seed})`,
    );
    expect(truncatedRejected).toBe(change.length);
    expect(randomRejected).toBeGreaterThanOrEqual(tries * 0.98); // a few random strings are valid (empty) updates
    expect(events).toEqual([]);
    expect(b.apply(change).ok).toBe(true);
    expect(b.entries('msg')).toEqual(a.entries('msg'));
  });

  it(`converges with 3 replicas under random operations and delivery (seeded, FUZZ_BUDGET_MS)`, () => {
    const started = Date.now();
    let runs = 0;
    let ops = 0;
    do {
      const runSeed = `${seed}/converge/${runs}`;
      const rnd = prng(runSeed);
      const docs = [0, 1, 2].map((i) => backend.create({ actor: actor(20 + i) }));
      const inbox: Uint8Array[][] = [[], [], []];
      const steps = 20 + rnd.int(60);
      for (let step = 0; step < steps; step++) {
        const i = rnd.int(3);
        const doc = docs[i]!;
        const roll = rnd.next();
        if (roll < 0.55) {
          const ch = doc.change(randomMutations(rnd, 1 + rnd.int(3)));
          ops++;
          if (ch !== null) for (let j = 0; j < 3; j++) if (j !== i && rnd.chance(0.8)) inbox[j]!.push(ch);
        } else if (roll < 0.8 && inbox[i]!.length > 0) {
          const queue = inbox[i]!;
          const [msg] = queue.splice(rnd.int(queue.length), 1);
          if (rnd.chance(0.2)) queue.push(msg!); // duplicate later
          expect(doc.apply(msg!).ok, runSeed).toBe(true);
        } else if (roll < 0.9) {
          const other = docs[rnd.int(3)]!;
          expect(doc.apply(other.changesSince(doc.version())).ok, runSeed).toBe(true);
        } else if (rnd.chance(0.3)) {
          const loaded = backend.load(doc.save(), { actor: actor(100 + i + 3 * step) });
          if (!loaded.ok) throw new Error(`reload failed, seed ${runSeed}`);
          docs[i] = loaded.value;
        }
      }
      // heal: everyone exchanges state deltas until quiet
      for (const x of docs) for (const y of docs) if (x !== y) y.apply(x.changesSince(y.version()));
      for (const y of docs) for (const x of docs) if (x !== y) y.apply(x.changesSince(y.version()));
      const rebuilt = backend.create({ actor: actor(99) });
      for (const doc of docs) rebuilt.apply(doc.save());
      for (const doc of [...docs.slice(1), rebuilt]) {
        expect(snapshot(doc), `convergence failed, SEED=${runSeed}`).toEqual(snapshot(docs[0]!));
      }
      runs++;
    } while (Date.now() - started < budgetMs);
    console.log(`[${name}] convergence: ${runs} seeded runs, ${ops} random changes, 3 replicas each (seed ${seed})`);
    expect(runs).toBeGreaterThan(0);
  }, budgetMs + 60_000);
}
