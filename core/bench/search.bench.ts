// Message search bench (ADR 0028): 100,000 messages in one conversation and spread over 100;
// index maintenance per message, query latency (first page of 20) for rare and common words and
// prefixes, index size, and a naive scan of the same rows in the same run (the ratio).
// The index before (prefixes of every length 2–8) and after (PREFIX_LENGTHS) in the same run.
// Run: pnpm --filter @kith/core bench search   (writes the 'search' section of docs/benchmarks.md,
//   with the size it ran at: SEARCH_BENCH_MESSAGES=20000 for a shorter run).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { MessagesRow, SearchIndexRow } from '../src/projection/projection-rows.js';
import type { ProjectionDb } from '../src/projection/projection-schema.js';
import { createPrng } from '../src/model/membership/membership-fixtures.js';
import { openProjectionDb } from '../src/projection/projection-schema.js';
import { searchMessages, searchMessagesWith } from '../src/projection/queries/message-search.js';
import { indexMessages } from '../src/projection/search-index.js';
import { matchesTerms, parseSearchTerms, PREFIX_LENGTHS } from '../src/projection/search-text.js';
import { writeBenchSection } from '../../scripts/bench-report.js';

const MESSAGES = Number(process.env.SEARCH_BENCH_MESSAGES ?? 100_000);
const SPREAD = 100;
const REPEATS = 101;
const NAIVE_REPEATS = Number(process.env.SEARCH_BENCH_NAIVE_REPEATS ?? 15);
const RARE_COUNT = 12;
/** The index of schema 3: every prefix length from 2 to 8. */
const BEFORE = [2, 3, 4, 5, 6, 7, 8];
const VIEWER = '0aaaaaaa-0000-8000-8000-000000000000';
const PEER = '0bbbbbbb-0000-8000-8000-000000000000';
const T0 = 1_700_000_000_000;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const v7 = (ms: number, seq: number): string => {
  const t = hex(ms, 12);
  return `${t.slice(0, 8)}-${t.slice(8)}-7${hex((seq >> 16) & 0xfff, 3)}-8${hex((seq >> 4) & 0xfff, 3)}-${hex(seq, 12)}`;
};
const convId = (i: number): string => `0ccccccc-0000-8000-8000-${hex(i, 12)}`;

// A seeded corpus: 5,000 pseudo-words from syllables, Zipf-distributed, 3–15 words a message,
// with capitals and diacritics now and then, and one rare word planted RARE_COUNT times.
const rng = createPrng(28);
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'da', 'vé', 'sho', 'tru', 'en', 'an', 'or', 'is', 'qu', 'ble', 'ing', 'ther'];
const vocab: string[] = [];
const seen = new Set<string>();
while (vocab.length < 5000) {
  const n = 1 + rng.int(4);
  let w = '';
  for (let i = 0; i < n; i++) w += rng.pick(SYLLABLES);
  if (seen.has(w) || w.length < 2) continue;
  seen.add(w);
  vocab.push(w);
}
const weights = vocab.map((_, r) => 1 / (r + 1));
const cumulative: number[] = [];
weights.reduce((acc, w, i) => ((cumulative[i] = acc + w), acc + w), 0);
const total = cumulative.at(-1) ?? 1;
const zipf = (): string => {
  const x = rng.next() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return vocab[lo] ?? 'ka';
};
const RARE = 'zephyrine';
const rareAt = new Set(Array.from({ length: RARE_COUNT }, (_, i) => Math.floor(((i + 0.5) * MESSAGES) / RARE_COUNT)));
const bodies: string[] = [];
for (let i = 0; i < MESSAGES; i++) {
  const n = 3 + rng.int(13);
  const words = Array.from({ length: n }, () => zipf());
  if (rareAt.has(i)) words[rng.int(n)] = 'Zéphyrine';
  if (rng.int(10) === 0) words[0] = (words[0] ?? '').toUpperCase();
  bodies.push(words.join(' '));
}

const rowsFor = (conversations: number): MessagesRow[] =>
  bodies.map((body, i) => {
    const createdAt = T0 + i * 10;
    return {
      id: v7(createdAt, i), conversationId: convId(i % conversations), senderId: i % 2 === 0 ? VIEWER : PEER, body,
      replyToId: null, forwarded: false, createdAt, editedAt: null, deletedAt: null, attachments: 0,
    };
  });

interface Filled {
  readonly db: ProjectionDb;
  indexMs: number;
  tokens: number;
  indexBytes: number;
}

/** Size estimate: strings as UTF-16 (2 bytes a unit): the row (its key arrays included) plus each multi-entry index entry (its key and the primary key it points to). */
async function measure(f: Filled): Promise<void> {
  await f.db.searchIndex.each((r: SearchIndexRow) => {
    f.tokens += r.global.length;
    const keys = [...r.global, ...r.local].reduce((n, k) => n + k.length, 0);
    f.indexBytes += 2 * (r.messageId.length * 2 + r.conversationId.length + keys + keys + (r.global.length + r.local.length) * 36);
  });
}

/**
 * Fills one projection database per prefix set with the same message rows and indexes them,
 * chunk by chunk (1,000 messages, one transaction each), the sets in turn in each chunk so that
 * they see the same load; the row write and the index write are timed separately.
 */
async function fill(name: string, conversations: number): Promise<{ before: Filled; after: Filled; rowMs: number; rowBytes: number }> {
  const open = async (variant: string): Promise<Filled> => {
    const db = await openProjectionDb({ name: `${name}-${variant}`, indexedDB: new IDBFactory(), IDBKeyRange });
    await db.users.bulkPut([
      { id: VIEWER, username: 'alice', displayName: '', about: '', avatar: null },
      { id: PEER, username: 'bob', displayName: 'Bob', about: '', avatar: null },
    ]);
    await db.conversations.bulkPut(
      Array.from({ length: conversations }, (_, i) => ({
        id: convId(i), kind: 'group' as const, peerId: null, name: `c${i}`, description: '', creatorId: VIEWER, createdAt: T0, shelf: 2 as const, pinned: 0 as const,
        mutedUntil: null, lastActivity: T0, lastMessageId: null, lastSenderId: null, lastBody: null, lastDeleted: false, unread: 0, unreadFloor: null,
      })),
    );
    return { db, indexMs: 0, tokens: 0, indexBytes: 0 };
  };
  const before = await open('before');
  const after = await open('after');
  const rows = rowsFor(conversations);
  let rowMs = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    for (const [f, lengths] of [[before, BEFORE], [after, PREFIX_LENGTHS]] as const) {
      await f.db.transaction('rw', f.db.messages, f.db.searchIndex, async () => {
        const t0 = performance.now();
        await f.db.messages.bulkPut(chunk);
        const t1 = performance.now();
        await indexMessages(f.db, chunk, new Map(), false, lengths);
        const t2 = performance.now();
        rowMs += (t1 - t0) / 2;
        f.indexMs += t2 - t1;
      });
    }
  }
  await measure(before);
  await measure(after);
  let rowBytes = 0;
  for (const r of rows) rowBytes += 2 * (JSON.stringify(r).length + 36 + 72);
  return { before, after, rowMs, rowBytes };
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

/** The peer: no index, read messages newest first and verify each (the same matcher) until a page is full. */
async function naive(db: ProjectionDb, text: string, conversation: string | undefined, limit = 20): Promise<number> {
  const terms = parseSearchTerms(text);
  const source =
    conversation === undefined
      ? db.messages.orderBy(':id').reverse()
      : db.messages.where('[conversationId+id]').between([conversation, ''], [conversation, '\uffff']).reverse();
  return (await source.filter((m) => m.body !== null && matchesTerms(m.body, terms)).limit(limit).toArray()).length;
}

interface Case {
  readonly label: string;
  readonly text: string;
  readonly conversation?: string;
}
interface Timing {
  readonly hits: number;
  readonly p50: number;
  readonly p99: number;
  readonly beforeP50: number;
  readonly beforeP99: number;
  readonly naiveP50: number;
}

async function time(after: ProjectionDb, before: ProjectionDb, c: Case): Promise<Timing> {
  const q = c.conversation === undefined ? { limit: 20 } : { limit: 20, conversation: c.conversation };
  const times: number[] = [];
  const beforeTimes: number[] = [];
  const naiveTimes: number[] = [];
  let hits = 0;
  let beforeHits = 0;
  let naiveHits = 0;
  // Interleaved: the old index and the new one in turn, one naive scan every REPEATS / NAIVE_REPEATS.
  const every = Math.floor(REPEATS / NAIVE_REPEATS);
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    hits = (await searchMessages(after, VIEWER, c.text, q)).messages.length;
    const t1 = performance.now();
    beforeHits = (await searchMessagesWith(before, VIEWER, c.text, q, BEFORE)).messages.length;
    const t2 = performance.now();
    times.push(t1 - t0);
    beforeTimes.push(t2 - t1);
    if (i % every === 0 && naiveTimes.length < NAIVE_REPEATS) {
      const t3 = performance.now();
      naiveHits = await naive(after, c.text, c.conversation);
      naiveTimes.push(performance.now() - t3);
    }
  }
  if (naiveHits !== hits || beforeHits !== hits) throw new Error(`${c.label}: index found ${hits}, the old index ${beforeHits}, scan ${naiveHits}`);
  return { hits, p50: quantile(times, 0.5), p99: quantile(times, 0.99), beforeP50: quantile(beforeTimes, 0.5), beforeP99: quantile(beforeTimes, 0.99), naiveP50: quantile(naiveTimes, 0.5) };
}

const load0 = loadavg();
const common = vocab[0] ?? '';
const mid = vocab[300] ?? '';
const cases = (conversation?: string): Case[] => {
  const on = conversation === undefined ? {} : { conversation };
  return [
    { label: `rare word "${RARE}" (${RARE_COUNT} messages)`, text: RARE, ...on },
    { label: `common word "${common}" (rank 1)`, text: common, ...on },
    { label: `2-letter prefix "${common.slice(0, 2)}"`, text: common.slice(0, 2), ...on },
    { label: `prefix "${mid.slice(0, 4)}" of a rank-300 word`, text: mid.slice(0, 4), ...on },
    { label: `prefix "${mid.slice(0, 3)}" of it (after: looked up under "${mid.slice(0, 2)}")`, text: mid.slice(0, 3), ...on },
    { label: `two terms "${common} ${RARE.slice(0, 5)}"`, text: `${common} ${RARE.slice(0, 5)}`, ...on },
  ];
};

const one = await fill('one', 1);
console.log(`one conversation: rows ${one.rowMs.toFixed(0)} ms, index before ${one.before.indexMs.toFixed(0)} ms (${one.before.tokens} tokens), after ${one.after.indexMs.toFixed(0)} ms (${one.after.tokens} tokens)`);
const oneTimes: Array<[Case, Timing]> = [];
for (const c of cases()) {
  const t = await time(one.after.db, one.before.db, c);
  oneTimes.push([c, t]);
  console.log(c.label, t);
}
one.before.db.close();
one.after.db.close();

const spread = await fill('spread', SPREAD);
console.log(`spread: rows ${spread.rowMs.toFixed(0)} ms, index before ${spread.before.indexMs.toFixed(0)} ms, after ${spread.after.indexMs.toFixed(0)} ms`);
const spreadTimes: Array<[Case, Timing]> = [];
for (const c of [...cases().slice(0, 2), ...cases(convId(7)).slice(0, 3)]) {
  const t = await time(spread.after.db, spread.before.db, c);
  spreadTimes.push([c, t]);
  console.log(c.label, c.conversation ?? '', t);
}
spread.before.db.close();
spread.after.db.close();
const load1 = loadavg();

const f = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0));
const us = (ms: number): string => ((ms / MESSAGES) * 1000).toFixed(1);
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const row = ([c, t]: [Case, Timing], scope: string): string =>
  `| ${scope} | ${c.label} | ${t.hits} | ${f(t.beforeP50)} / ${f(t.beforeP99)} ms | **${f(t.p50)}** / ${f(t.p99)} ms | ${f(t.naiveP50)} ms | ${(t.naiveP50 / t.p50).toFixed(1)}× |`;
const build = (label: string, r: { before: Filled; after: Filled; rowMs: number; rowBytes: number }): string[] => [
  `| ${label} | tokens per message (keys in each of the two indexes) | ${(r.before.tokens / MESSAGES).toFixed(1)} | **${(r.after.tokens / MESSAGES).toFixed(1)}** | ${(r.before.tokens / r.after.tokens).toFixed(2)}× fewer |`,
  `| ${label} | index write per message (row write: ${us(r.rowMs)} µs) | ${us(r.before.indexMs)} µs (${(r.before.indexMs / r.rowMs).toFixed(1)}× the row) | **${us(r.after.indexMs)} µs** (${(r.after.indexMs / r.rowMs).toFixed(1)}× the row) | ${(r.before.indexMs / r.after.indexMs).toFixed(2)}× cheaper |`,
  `| ${label} | index size, estimate (rows: ${mib(r.rowBytes)} MiB) | ${mib(r.before.indexBytes)} MiB (${(r.before.indexBytes / r.rowBytes).toFixed(1)}× the rows) | **${mib(r.after.indexBytes)} MiB** (${(r.after.indexBytes / r.rowBytes).toFixed(1)}× the rows) | ${(r.before.indexBytes / r.after.indexBytes).toFixed(2)}× smaller |`,
];
const md = `## Message search (core/bench/search.bench.ts)

${MESSAGES.toLocaleString('en')} messages (seeded corpus: 5,000 pseudo-words, Zipf-distributed, 3–15 words a message),
in one conversation and spread over ${SPREAD}. Index: table searchIndex, one row per message listing its distinct folded
word prefixes as multi-entry keys \`token␁id\` and \`conversation␁token␁id\`, ids packed in 9 UTF-16 units (ADR 0028).
**Before**: prefixes of every length 2–8 (schema 3); **after**: prefixes of ${PREFIX_LENGTHS.join(', ')} characters only
(schema 4; a term looks up its longest indexed prefix and candidates are verified against the row, as before). Both are
built from the same rows in the same run, chunk by chunk in turn, and queried in turn. Dexie 4 on **fake-indexeddb**
(in-memory IndexedDB in Node): relative costs, not a browser's IndexedDB on disk. Queries ask for the first page of 20,
newest first; latency over ${REPEATS} runs of each; the naive scan (no index: messages newest first, the same matcher,
stop at 20) runs ${NAIVE_REPEATS} times interleaved with them, and all three must find the same number of results.
Load average (1 min) ${load0[0]?.toFixed(2)} before, ${load1[0]?.toFixed(2)} after, on 2 cores shared with other work:
compare the ratios, not the absolute times.

| messages in | measure | before (2–8) | after (${PREFIX_LENGTHS.join(', ')}) | ratio |
|---|---|---|---|---|
${[...build('one conversation', one), ...build(`${SPREAD} conversations`, spread)].join('\n')}

(Index write: bulk, chunks of 1,000, timed apart from the message rows' write in the same transaction. Size: UTF-16
strings, each row with its key arrays plus every multi-entry index entry and the primary key it points to, before any
compression the browser applies; the message rows estimated the same way.)

| messages in | query | results | before p50 / p99 | after p50 / p99 | naive scan p50 | scan ÷ after |
|---|---|---|---|---|---|---|
${oneTimes.map((x) => row(x, 'one conversation')).join('\n')}
${spreadTimes.map((x) => row(x, x[0].conversation === undefined ? `${SPREAD} conversations, all` : `${SPREAD} conversations, one (${(MESSAGES / SPREAD).toLocaleString('en')} messages)`)).join('\n')}

How it scales: an indexed query reads the postings of one term's lookup token newest first and
verifies each candidate row, so its cost is the candidates walked until the page is full — for a
term of an indexed length (2, 4, 8+), the page itself; for a term between them (3, 5–7 letters)
or several terms, the candidates that fail verification too (bounded per call by
SEARCH_SCAN_BUDGET = 2,000, after which a short page comes back with a cursor). The naive scan's
cost is the history above the page: small when the term is common, the whole history when it is
rare. The index costs writes and bytes in proportion to the words written (capped at 512 tokens a
message).
`;
writeBenchSection('search', md);
console.log(md);
