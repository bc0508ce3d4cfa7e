import type { Sql, TransactionSql } from 'postgres';
import type { AppendOutcome, AppendRequest, DocLogStore, LogEntry } from '../ports.js';
import { judgeRange, type StoredRange } from '../range-index.js';
import { foldIntoRuns } from '../compacted-runs.js';
import { asBuffer, asBytes } from './bytes.js';
import { readRunsOfDoc, writeRuns } from './runs.js';

interface KnownRow {
  i: number;
  from: string;
  to: string;
  seq: string;
  hash: string;
  /** SNAP-8: a compacted run's digest; null for a stored entry. */
  filter: Buffer | null;
}

const streamOf = (r: AppendRequest): string => `${r.doc}\u0000${r.author}\u0000${r.device}`;

/**
 * RLY-30: the head rows of the batch's documents are locked (in doc order, so two batches never
 * deadlock) before any seq is drawn, and stay locked until COMMIT. Every seq of a document is
 * therefore drawn after the previous writer of that document committed and became visible: per
 * document, seq order is commit order on every instance, and a reader that saw seq n can never
 * later find a smaller one appear.
 */
async function lockHeads(tx: TransactionSql, docs: readonly string[]): Promise<void> {
  await tx`
    INSERT INTO doc_heads (doc) SELECT unnest(${docs}::text[]) ORDER BY 1
    ON CONFLICT (doc) DO UPDATE SET last_seq = doc_heads.last_seq`;
}

async function appendBatch(tx: TransactionSql, batch: readonly AppendRequest[]): Promise<AppendOutcome[]> {
  const docs = [...new Set(batch.map((r) => r.doc))].sort();
  await lockHeads(tx, docs);
  // ENV-5 / BATCH-7: per request, the stored (or compacted) range with the greatest first counter
  // ≤ its last counter — the only one that can overlap it (stored ranges are disjoint).
  const known = await tx<KnownRow[]>`
    SELECT k.i::int4 AS i, n.counter AS "from", n.to_counter AS "to", n.seq, n.hash, n.filter
    FROM unnest(${batch.map((r) => r.doc)}::text[], ${batch.map((r) => r.author)}::text[],
                ${batch.map((r) => r.device)}::text[], ${batch.map((r) => r.to)}::int8[])
         WITH ORDINALITY AS k(doc, author, device, last, i)
    CROSS JOIN LATERAL (
      SELECT counter, to_counter, seq, hash, filter FROM (
        (SELECT counter, coalesce(to_counter, counter) AS to_counter, seq, hash, NULL::bytea AS filter FROM entries e
         WHERE (e.doc, e.author, e.device) = (k.doc, k.author, k.device) AND e.counter <= k.last
         ORDER BY e.counter DESC LIMIT 1)
        UNION ALL
        (SELECT from_counter, to_counter, last_seq, '', filter FROM compacted_runs c
         WHERE (c.doc, c.author, c.device) = (k.doc, k.author, k.device) AND c.from_counter <= k.last
         ORDER BY c.from_counter DESC LIMIT 1)
      ) both_tables ORDER BY counter DESC LIMIT 1
    ) n`;
  const nearest = new Map<number, StoredRange>();
  for (const row of known) {
    const range = { from: Number(row.from), to: Number(row.to), seq: Number(row.seq), hash: row.hash };
    nearest.set(row.i - 1, row.filter === null ? range : { ...range, filter: asBytes(row.filter) });
  }

  const fresh: AppendRequest[] = [];
  const slots: (AppendOutcome | number)[] = [];
  /** Ranges taken earlier in this batch, per stream (seq −1 − index into `fresh`). */
  const taken = new Map<string, StoredRange[]>();
  batch.forEach((r, i) => {
    const mine = taken.get(streamOf(r)) ?? [];
    const inBatch = mine.filter((x) => x.from <= r.to).sort((x, y) => y.from - x.from)[0];
    const stored = nearest.get(i);
    const best = inBatch === undefined ? stored : stored === undefined || inBatch.from > stored.from ? inBatch : stored;
    const verdict = judgeRange(best, r.counter, r.to, r.hash);
    if (verdict.status !== 'fresh') {
      slots.push(verdict);
      return;
    }
    mine.push({ from: r.counter, to: r.to, seq: -1 - fresh.length, hash: r.hash });
    taken.set(streamOf(r), mine);
    slots.push(fresh.length);
    fresh.push(r);
  });
  if (fresh.length === 0) return slots as AppendOutcome[];

  const drawn = await tx<{ seq: string }[]>`SELECT nextval('kith_seq') AS seq FROM generate_series(1, ${fresh.length}::int4)`;
  const seqs = drawn.map((d) => Number(d.seq)).sort((a, b) => a - b);
  const rows = fresh.map((r, i) => ({
    seq: seqs[i]!,
    doc: r.doc,
    author: r.author,
    device: r.device,
    counter: r.counter,
    to_counter: r.to === r.counter ? null : r.to,
    hash: r.hash,
    bytes: asBuffer(r.bytes),
  }));
  await tx`INSERT INTO entries ${tx(rows, 'seq', 'doc', 'author', 'device', 'counter', 'to_counter', 'hash', 'bytes')}`;
  const perDoc = new Map<string, { last: number; bytes: number }>();
  for (const row of rows) {
    const d = perDoc.get(row.doc) ?? { last: 0, bytes: 0 };
    perDoc.set(row.doc, { last: Math.max(d.last, row.seq), bytes: d.bytes + row.bytes.length });
  }
  await tx`
    UPDATE doc_heads h SET last_seq = v.last, bytes = h.bytes + v.bytes
    FROM unnest(${[...perDoc.keys()]}::text[], ${[...perDoc.values()].map((d) => d.last)}::int8[],
                ${[...perDoc.values()].map((d) => d.bytes)}::int8[]) AS v(doc, last, bytes)
    WHERE h.doc = v.doc`;
  // Duplicates inside the batch point at the seq their first copy just got.
  return slots.map((s): AppendOutcome => {
    if (typeof s === 'number') return { status: 'stored', seq: seqs[s]! };
    return s.status === 'duplicate' && s.seq < 0 ? { status: 'duplicate', seq: seqs[-1 - s.seq]! } : s;
  });
}

/**
 * DocLogStore on PostgreSQL: a batch is one transaction; `append` resolves after COMMIT, which
 * with `synchronous_commit = on` (forced on the relay's connections) means flushed to the WAL
 * (RLY-10).
 */
export function createPostgresDocLogStore(sql: Sql): DocLogStore {
  return {
    async append(batch) {
      if (batch.length === 0) return [];
      return sql.begin((tx) => appendBatch(tx, batch));
    },
    async read(doc, after, limit): Promise<LogEntry[]> {
      const rows = await sql<{ seq: string; bytes: Buffer }[]>`
        SELECT seq, bytes FROM entries WHERE doc = ${doc} AND seq > ${after}::int8 ORDER BY seq LIMIT ${limit}::int4`;
      return rows.map((r) => ({ seq: Number(r.seq), bytes: asBytes(r.bytes) }));
    },
    async compact(doc, keepSeq, through) {
      return sql.begin(async (tx) => {
        await lockHeads(tx, [doc]);
        // SNAP-7: the dropped entries become runs of their streams, in the same transaction.
        const dropped = await tx<{ author: string; device: string; from: string; to: string; hash: string; seq: string }[]>`
          SELECT author, device, counter AS "from", coalesce(to_counter, counter) AS "to", hash, seq FROM entries
          WHERE doc = ${doc} AND seq <= ${through}::int8 AND seq <> ${keepSeq}::int8`;
        const entries = dropped.map((r) => ({ author: r.author, device: r.device, from: Number(r.from), to: Number(r.to), hash: r.hash, seq: Number(r.seq) }));
        await writeRuns(tx, doc, foldIntoRuns(entries, await readRunsOfDoc(tx, doc)));
        const [gone] = await tx<{ n: number; bytes: string | null }[]>`
          WITH d AS (DELETE FROM entries WHERE doc = ${doc} AND seq <= ${through}::int8 AND seq <> ${keepSeq}::int8 RETURNING length(bytes) AS len)
          SELECT count(*)::int4 AS n, sum(len) AS bytes FROM d`;
        const bytes = Number(gone?.bytes ?? 0);
        await tx`UPDATE doc_heads SET bytes = bytes - ${bytes}::int8 WHERE doc = ${doc}`;
        return gone?.n ?? 0;
      });
    },
    async heads(docs) {
      const rows = await sql<{ doc: string; last_seq: string }[]>`SELECT doc, last_seq FROM doc_heads WHERE doc = ANY(${[...docs]}::text[])`;
      const out = new Map<string, number>(docs.map((d) => [d, 0]));
      for (const r of rows) out.set(r.doc, Number(r.last_seq));
      return out;
    },
    async maxSeq() {
      const [row] = await sql<{ s: string | null }[]>`SELECT max(last_seq) AS s FROM doc_heads`;
      return Number(row?.s ?? 0);
    },
    async compactedBytes() {
      const [row] = await sql<{ n: string | null }[]>`SELECT sum(length(author) + length(device) + 32 + length(filter)) AS n FROM compacted_runs`;
      return Number(row?.n ?? 0);
    },
    async storedBytes() {
      const [row] = await sql<{ n: string | null }[]>`SELECT sum(bytes) AS n FROM doc_heads`;
      return Number(row?.n ?? 0);
    },
  };
}
