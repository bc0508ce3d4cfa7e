import { fail, ok, type Result } from '../errors.js';

/**
 * Per-(doc, author, device) counters of opened envelopes (ENV-5). A counter above the highest
 * seen is fresh; the counters it skips are remembered as gaps (reported, and accepted later
 * when they arrive late); anything else is a replay. A jump larger than `maxJump` is refused
 * (`counter_gap`) so one envelope cannot poison the tracker with 2^53. Gaps are kept as at most
 * `maxGapRanges` ranges per stream; the oldest are forgotten beyond that (their late
 * arrivals are then refused as replays).
 */
export interface CounterTracker {
  /**
   * Whether `counter` may be accepted on `stream`; changes nothing. `gap`: counters newly
   * skipped. `digest` identifies the envelope (e.g. its signature's first bytes): a used counter
   * with the same digest is a `replay`, with another digest `equivocation` (ENV-5; only the last
   * `recentDigests` counters per stream are remembered, older ones are reported as `replay`).
   */
  check(stream: string, counter: number, digest?: string): Result<{ gap: number; late: boolean }>;
  /** Records an accepted counter (after every other check passed, ENV-6). */
  record(stream: string, counter: number, digest?: string): void;
  highest(stream: string): number;
  /** Missing counter ranges `[from, to]` (inclusive) below the highest seen. */
  gaps(stream: string): Array<[number, number]>;
  /** Highest counters and gaps of every stream, for persisting (digests are not kept). */
  snapshot(): CounterSnapshot;
}

export type CounterSnapshot = Record<string, { readonly high: number; readonly missing: ReadonlyArray<readonly [number, number]> }>;

export interface CounterTrackerOptions {
  readonly maxJump?: number;
  readonly maxGapRanges?: number;
  readonly recentDigests?: number;
}

interface Stream {
  high: number;
  missing: Array<[number, number]>;
  recent: Map<number, string>;
}

export function createCounterTracker(options: CounterTrackerOptions = {}, restore?: CounterSnapshot): CounterTracker {
  const maxJump = options.maxJump ?? 100_000;
  const maxGapRanges = options.maxGapRanges ?? 256;
  const recentDigests = options.recentDigests ?? 64;
  const streams = new Map<string, Stream>();
  for (const [stream, v] of Object.entries(restore ?? {})) {
    streams.set(stream, { high: v.high, missing: v.missing.map(([a, b]) => [a, b]), recent: new Map<number, string>() });
  }
  const inGap = (s: Stream, c: number): number => s.missing.findIndex(([a, b]) => c >= a && c <= b);
  return {
    check(stream, counter, digest) {
      if (!Number.isSafeInteger(counter) || counter < 1) return fail('malformed', 'counter must be ≥ 1');
      const s = streams.get(stream) ?? { high: 0, missing: [], recent: new Map<number, string>() };
      if (counter > s.high) {
        if (counter - s.high > maxJump) return fail('counter_gap', `counter jumps by ${counter - s.high}, limit ${maxJump}`);
        return ok({ gap: counter - s.high - 1, late: false });
      }
      if (inGap(s, counter) >= 0) return ok({ gap: 0, late: true });
      const seen = s.recent.get(counter);
      if (digest !== undefined && seen !== undefined && seen !== digest) return fail('equivocation', 'another envelope already used this counter');
      return fail('replay', 'counter already used');
    },
    record(stream, counter, digest) {
      let s = streams.get(stream);
      if (s === undefined) streams.set(stream, (s = { high: 0, missing: [], recent: new Map<number, string>() }));
      if (digest !== undefined) {
        s.recent.set(counter, digest);
        if (s.recent.size > recentDigests) s.recent.delete(s.recent.keys().next().value!);
      }
      if (counter > s.high) {
        if (counter > s.high + 1) s.missing.push([s.high + 1, counter - 1]);
        if (s.missing.length > maxGapRanges) s.missing.splice(0, s.missing.length - maxGapRanges);
        s.high = counter;
        return;
      }
      const i = inGap(s, counter);
      if (i < 0) return;
      const [a, b] = s.missing[i]!;
      const parts: Array<[number, number]> = [];
      if (a < counter) parts.push([a, counter - 1]);
      if (counter < b) parts.push([counter + 1, b]);
      s.missing.splice(i, 1, ...parts);
    },
    highest: (stream) => streams.get(stream)?.high ?? 0,
    gaps: (stream) => (streams.get(stream)?.missing ?? []).map(([a, b]) => [a, b]),
    snapshot: () => Object.fromEntries([...streams].map(([k, s]) => [k, { high: s.high, missing: s.missing.map(([a, b]) => [a, b] as const) }])),
  };
}
