import type { TransactionSql } from 'postgres';
import type { CompactedRun } from '../compacted-runs.js';
import { asBuffer, asBytes } from './bytes.js';

/** SNAP-7: the compacted runs of `doc` (to extend them in a compaction). */
export async function readRunsOfDoc(tx: TransactionSql, doc: string): Promise<CompactedRun[]> {
  const rows = await tx<{ author: string; device: string; from: string; to: string; count: number; last_seq: string; filter: Buffer }[]>`
    SELECT author, device, from_counter AS "from", to_counter AS "to", entries AS count, last_seq, filter
    FROM compacted_runs WHERE doc = ${doc}`;
  return rows.map((r) => ({ author: r.author, device: r.device, from: Number(r.from), to: Number(r.to), count: r.count, lastSeq: Number(r.last_seq), filter: asBytes(r.filter) }));
}

/** Upserts runs by (doc, author, device, from). */
export async function writeRuns(tx: TransactionSql, doc: string, runs: readonly CompactedRun[]): Promise<void> {
  if (runs.length === 0) return;
  const rows = runs.map((r) => ({
    doc,
    author: r.author,
    device: r.device,
    from_counter: r.from,
    to_counter: r.to,
    entries: r.count,
    last_seq: r.lastSeq,
    filter: asBuffer(r.filter),
  }));
  await tx`
    INSERT INTO compacted_runs ${tx(rows, 'doc', 'author', 'device', 'from_counter', 'to_counter', 'entries', 'last_seq', 'filter')}
    ON CONFLICT (doc, author, device, from_counter) DO UPDATE SET to_counter = excluded.to_counter,
      entries = excluded.entries, last_seq = excluded.last_seq, filter = excluded.filter`;
}
