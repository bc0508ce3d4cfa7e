/**
 * A readable, metadata-only log of what happened on a simulated network, one line per event:
 *
 *     #12 alice -> relay  deliver  PUT conv=C1 seq=4 kind=update
 *
 * Lines must never contain payloads, plaintext or keys (whoever formats them is responsible).
 * Scenario tests snapshot `lines()`; failures print `tail(n)`. Only the most recent `limit`
 * lines are kept so long fuzz runs stay bounded in memory.
 */
export interface Trace {
  record(line: string): void;
  /** The kept lines, oldest first (a copy). */
  lines(): readonly string[];
  /** The last `n` lines joined by newlines, preceded by a note when older lines were discarded. */
  tail(n: number): string;
  clear(): void;
}

export const DEFAULT_TRACE_LIMIT = 10_000;

export function createTrace(limit: number = DEFAULT_TRACE_LIMIT): Trace {
  if (!Number.isInteger(limit) || limit <= 0) throw new RangeError(`createTrace: limit must be a positive integer, got ${limit}`);
  let buffer: string[] = [];
  let discarded = 0;

  const kept = (): string[] => (buffer.length > limit ? buffer.slice(buffer.length - limit) : buffer.slice());

  return {
    record(line: string): void {
      buffer.push(line);
      // Compact in batches so recording stays O(1) amortized.
      if (buffer.length >= limit * 2) {
        discarded += buffer.length - limit;
        buffer = buffer.slice(buffer.length - limit);
      }
    },
    lines: kept,
    tail(n: number): string {
      const all = kept();
      const shown = n <= 0 ? [] : all.slice(-n);
      const hidden = discarded + Math.max(0, buffer.length - limit) + (all.length - shown.length);
      return hidden > 0 ? [`… ${hidden} earlier line(s)`, ...shown].join('\n') : shown.join('\n');
    },
    clear(): void {
      buffer = [];
      discarded = 0;
    },
  };
}
