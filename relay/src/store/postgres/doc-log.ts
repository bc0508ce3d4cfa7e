import type { Sql, TransactionSql } from 'postgres';
import type { AppendOutcome, AppendRequest, DocLogStore, LogEntry } from '../ports.js';
import { asBuffer, asBytes } from './bytes.js';

interface KnownRow {
  i: number;
  seq: string;
  hash: string;
}

const keyOf = (r: AppendRequest): string => `${r.doc}\u0000${r.author}\u0000${r.device}\u0000${r.counter}`;

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
  // ENV-5: only the exact (doc, author, device, counter) decides, stored or compacted.
  const known = await tx<KnownRow[]>`
    SELECT k.i::int4 AS i, coalesce(e.seq, c.seq) AS seq, coalesce(e.hash, c.hash) AS hash
    FROM unnest(${batch.map((r) => r.doc)}::text[], ${batch.map((r) => r.author)}::text[],
                ${batch.map((r) => r.device)}::text[], ${batch.map((r) => r.counter)}::int8[])
         WITH ORDINALITY AS k(doc, author, device, counter, i)
    LEFT JOIN entries e ON (e.doc, e.author, e.device, e.counter) = (k.doc, k.author, k.device, k.counter)
    LEFT JOIN compacted c ON (c.doc, c.author, c.device, c.counter) = (k.doc, k.author, k.device, k.counter)
    WHERE e.seq IS NOT NULL OR c.seq IS NOT NULL`;
  const seen = new Map<string, { seq: number; hash: string }>();
  for (const row of known) seen.set(keyOf(batch[row.i - 1]!), { seq: Number(row.seq), hash: row.hash });

  const fresh: AppendRequest[] = [];
  const slots: (AppendOutcome | number)[] = [];
  for (const r of batch) {
    const k = keyOf(r);
    const existing = seen.get(k);
    if (existing !== undefined) {
      slots.push(existing.hash === r.hash ? { status: 'duplicate', seq: existing.seq } : { status: 'equivocation' });
      continue;
    }
    seen.set(k, { seq: -1 - fresh.length, hash: r.hash });
    slots.push(fresh.length);
    fresh.push(r);
  }
  if (fresh.length === 0) return slots as AppendOutcome[];

  const drawn = await tx<{ seq: string }[]>`SELECT nextval('kith_seq') AS seq FROM generate_series(1, ${fresh.length}::int4)`;
  const seqs = drawn.map((d) => Number(d.seq)).sort((a, b) => a - b);
  const rows = fresh.map((r, i) => ({
    seq: seqs[i]!,
    doc: r.doc,
    author: r.author,
    device: r.device,
    counter: r.counter,
    hash: r.hash,
    bytes: asBuffer(r.bytes),
  }));
  await tx`INSERT INTO entries ${tx(rows, 'seq', 'doc', 'author', 'device', 'counter', 'hash', 'bytes')}`;
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
        await tx`
          INSERT INTO compacted (doc, author, device, counter, hash, seq)
          SELECT doc, author, device, counter, hash, seq FROM entries
          WHERE doc = ${doc} AND seq <= ${through}::int8 AND seq <> ${keepSeq}::int8
          ON CONFLICT DO NOTHING`;
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
    async storedBytes() {
      const [row] = await sql<{ n: string | null }[]>`SELECT sum(bytes) AS n FROM doc_heads`;
      return Number(row?.n ?? 0);
    },
  };
}
