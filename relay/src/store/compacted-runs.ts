import { createHash } from 'node:crypto';

/**
 * SNAP-7 (ADR 0022 addendum): what the relay keeps of the envelopes a snapshot made it drop.
 * Per (doc, author, device) stream, a compacted RUN covers consecutive counters `from..to`
 * (no gap: a counter never stored stays outside every run, H1) of at most `RUN_MAX_ENTRIES`
 * dropped entries, with the highest seq among them and a fixed-size digest of their identities:
 * a Bloom filter of SHA-256(u64 from ‖ u64 to ‖ hash) over each dropped entry. One row per run,
 * not per change: 2 KiB plus the keys for up to 1,024 envelopes.
 */
export const RUN_MAX_ENTRIES = 1024;
export const RUN_FILTER_BYTES = 2048;
/** Bits set per entry: ≈ ln 2 · 16 bits per entry, false positives ≈ 5 · 10⁻⁴ at a full run. */
const PROBES = 11;

export interface CompactedRun {
  readonly author: string;
  readonly device: string;
  readonly from: number;
  readonly to: number;
  /** Dropped entries folded in (≤ RUN_MAX_ENTRIES). */
  readonly count: number;
  /** The highest seq of a dropped entry of the run: what a covered retry is acknowledged with (SNAP-8). */
  readonly lastSeq: number;
  readonly filter: Uint8Array;
}

/** One entry dropped by a compaction, as its stream remembers it. */
export interface DroppedEntry {
  readonly author: string;
  readonly device: string;
  readonly from: number;
  readonly to: number;
  /** SHA-256 of the envelope bytes, lowercase hex (ENV-5). */
  readonly hash: string;
  readonly seq: number;
}

function probes(from: number, to: number, hash: string): number[] {
  const key = Buffer.alloc(16 + hash.length);
  key.writeBigUInt64BE(BigInt(from), 0);
  key.writeBigUInt64BE(BigInt(to), 8);
  key.write(hash, 16, 'latin1');
  const d = createHash('sha256').update(key).digest();
  const bits = RUN_FILTER_BYTES * 8;
  return Array.from({ length: PROBES }, (_, i) => d.readUInt16BE(i * 2) % bits);
}

function addToFilter(filter: Uint8Array, e: { from: number; to: number; hash: string }): void {
  for (const p of probes(e.from, e.to, e.hash)) filter[p >> 3]! |= 1 << (p & 7);
}

/**
 * SNAP-8: whether `from..to` with `hash` may be one of the run's dropped entries. No false
 * negatives (a byte-identical retry of a dropped envelope always answers true); a different
 * envelope answers true with probability ≈ 5 · 10⁻⁴ (then it is acknowledged as covered, and
 * still never stored or served).
 */
export function runMayHold(filter: Uint8Array, from: number, to: number, hash: string): boolean {
  return probes(from, to, hash).every((p) => ((filter[p >> 3] ?? 0) & (1 << (p & 7))) !== 0);
}

const streamKey = (e: { author: string; device: string }): string => `${e.author}\u0000${e.device}`;

/**
 * Folds dropped entries into runs. `existing` lists runs already stored for the same document:
 * one that ends right before a dropped entry and has room is extended (same `from`, so it is
 * an upsert of that row); otherwise a new run starts. Returns every run to write.
 */
export function foldIntoRuns(dropped: readonly DroppedEntry[], existing: readonly CompactedRun[]): CompactedRun[] {
  const byEnd = new Map<string, CompactedRun>();
  for (const r of existing) byEnd.set(`${streamKey(r)}\u0000${r.to}`, r);
  const sorted = [...dropped].sort((a, b) => (streamKey(a) < streamKey(b) ? -1 : streamKey(a) > streamKey(b) ? 1 : a.from - b.from));
  const out = new Map<string, { author: string; device: string; from: number; to: number; count: number; lastSeq: number; filter: Uint8Array }>();
  let cur: { author: string; device: string; from: number; to: number; count: number; lastSeq: number; filter: Uint8Array } | undefined;
  for (const e of sorted) {
    const continues = cur !== undefined && streamKey(cur) === streamKey(e) && cur.to + 1 === e.from && cur.count < RUN_MAX_ENTRIES;
    if (!continues) {
      const before = byEnd.get(`${streamKey(e)}\u0000${e.from - 1}`);
      cur =
        before !== undefined && before.count < RUN_MAX_ENTRIES
          ? { ...before, filter: before.filter.slice() }
          : { author: e.author, device: e.device, from: e.from, to: e.from - 1, count: 0, lastSeq: 0, filter: new Uint8Array(RUN_FILTER_BYTES) };
      out.set(`${streamKey(cur)}\u0000${cur.from}`, cur);
    }
    const run = cur!;
    addToFilter(run.filter, e);
    run.to = e.to;
    run.count++;
    run.lastSeq = Math.max(run.lastSeq, e.seq);
  }
  return [...out.values()];
}

/** Bytes one stored run takes, roughly (keys, integers, filter): what /metrics reports. */
export const runBytes = (r: CompactedRun): number => r.author.length + r.device.length + 4 * 8 + r.filter.length;
