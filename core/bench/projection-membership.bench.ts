// Projection bench: what a membership change costs the projection of a 10,000-message group
// (ADR 0008 § Incremental maintenance). Before issue 6's fix the projection re-read and rewrote
// every message of the conversation on each membership event (the engine retracted messages
// silently); now a membership change touches the conversation's own rows, and retracted
// messages arrive as events.
// Run: pnpm exec tsx core/bench/projection-membership.bench.ts
//   (writes the 'projection-membership' section of docs/benchmarks.md; PROJECTION_BENCH_JSON=path
//   writes the figures as JSON to that file instead, how the "before" column was measured on
//   the older checkout; PROJECTION_BENCH_HISTORY=n changes the history length)
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createYjsBackend } from '../src/crdt/yjs/index.js';
import { createPeerHarness } from '../src/testing/peer-harness.js';
import { createProjection } from '../src/projection/create-projection.js';
import { openProjectionDb } from '../src/projection/projection-schema.js';
import { writeBenchSection } from '../../scripts/bench-report.js';

const HISTORY = Number(process.env['PROJECTION_BENCH_HISTORY'] ?? 10_000);

/**
 * "Before": this bench file run with PROJECTION_BENCH_JSON on a checkout of the commit before the
 * fix (da440e7^, 2026-11-27, this machine with a load average of ~25 from parallel work). The
 * old code is gone, so its figures are recorded here rather than re-measured.
 */
const BEFORE_HISTORY = 10_000;
const BEFORE: Record<string, { rows: number; busyMs: number }> = {
  'make a member admin': { rows: 10_011, busyMs: 15_371 },
  'remove a member': { rows: 10_011, busyMs: 13_365 },
  'add them back': { rows: 10_011, busyMs: 11_575 },
  'one new message (for scale)': { rows: 2, busyMs: 13 },
};

interface Step {
  readonly name: string;
  readonly rows: number;
  readonly flushes: number;
  /** The projection's own time (engine reads + Dexie writes) for the step. */
  readonly busyMs: number;
  /** Delivery into the engine plus the projection, wall time. */
  readonly wallMs: number;
}

async function measure(): Promise<{ fillMs: number; steps: Step[]; messages: number }> {
  const h = await createPeerHarness({ backend: createYjsBackend(), seed: 'projection-membership-bench', peers: ['alice', 'bob', 'carol'] });
  const alice = h.peer('alice');
  const bob = h.peer('bob');
  const group = (await alice.groups.create({ name: 'big', members: [h.user('bob'), h.user('carol')] })).id;
  await h.flush();
  const f0 = performance.now();
  for (let i = 0; i < HISTORY; i++) {
    await (i % 10 === 9 ? h.peer('carol') : alice).messages.send(group, `message ${i}`);
    if (i % 1000 === 999) await h.flush();
  }
  await h.flush();
  await bob.idle();
  // The projection starts on the filled engine (its first open rebuilds from the documents).
  const db = await openProjectionDb({ name: 'bob', indexedDB: new IDBFactory(), IDBKeyRange });
  const p = await createProjection({ kith: bob, db });
  await p.idle();
  const fillMs = performance.now() - f0;
  const messages = await db.messages.count();
  if (messages !== HISTORY) throw new Error(`projected ${messages} of ${HISTORY}`);

  const steps: Step[] = [];
  const step = async (name: string, change: () => Promise<unknown>): Promise<void> => {
    await change();
    const before = p.stats();
    const t0 = performance.now();
    await h.flush();
    await bob.idle();
    await p.idle();
    const wallMs = performance.now() - t0;
    const after = p.stats();
    if (after.errors !== 0) throw new Error('projection errors');
    steps.push({ name, rows: after.rowsWritten - before.rowsWritten, flushes: after.flushes - before.flushes, busyMs: after.busyMs - before.busyMs, wallMs });
  };
  // Members who already hold the history, so no step waits for a newcomer's catch-up (the
  // projection's Dexie awaits would interleave with it and inflate its time).
  await step('make a member admin', () => alice.groups.setRole(group, h.user('bob'), 'admin'));
  await step('remove a member', () => alice.groups.removeMember(group, h.user('carol')));
  await step('add them back', () => alice.groups.addMember(group, h.user('carol')));
  await step('one new message (for scale)', () => alice.messages.send(group, 'after'));
  p.close();
  db.close();
  await h.close();
  return { fillMs, steps, messages };
}

const result = await measure();
const out = process.env['PROJECTION_BENCH_JSON'];
if (out !== undefined) {
  writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
} else {
  const f = (x: number): string => x.toFixed(x < 10 ? 2 : 0);
  const before = HISTORY === BEFORE_HISTORY ? BEFORE : {};
  const rows = result.steps
    .map((s) => {
      const b = before[s.name];
      const was = b === undefined ? '—' : `${b.rows.toLocaleString('en')} rows, ${f(b.busyMs)} ms`;
      return `| ${s.name} | ${was} | **${s.rows.toLocaleString('en')} rows, ${f(s.busyMs)} ms** (${s.flushes} flush${s.flushes === 1 ? '' : 'es'}) | ${f(s.wallMs)} ms |`;
    })
    .join('\n');
  const md = `## Projection: a membership change in a ${HISTORY.toLocaleString('en')}-message group

Alice and carol fill a group with ${result.messages.toLocaleString('en')} messages; bob's projection (Dexie on
fake-indexeddb) is built from his engine (fill and rebuild ${f(result.fillMs / 1000)} s), then each step below
arrives from alice. "Rows" are the rows the projection's flush put or
deleted; "projection ms" its own time (engine reads + one Dexie transaction); "wall" includes
the harness delivering the change and the engine applying it (and, for a removal, the engine
re-filtering the removed member's chunks). Rows are exact and repeatable; the milliseconds scale
with the load of the shared 2-core machine (the "before" column was measured at load ~25): load
average ${os.loadavg()[0]?.toFixed(0) ?? '?'} at the end of this run.

| step | before: rows, projection ms | after: rows, projection ms | after: wall ms |
|---|---|---|---|
${rows}

Before: the projection re-read and rewrote every message of the conversation on each
membership event, because the engine could retract messages silently. After: the engine emits
\`messageRetracted\` (and events for retracted reactions, receipts and calls), so a membership
change writes the conversation row, its members, their profiles and receipts, and the calls
nobody answered — independent of the history's length.
`;
  writeBenchSection('projection-membership', md);
  console.log(md);
}
