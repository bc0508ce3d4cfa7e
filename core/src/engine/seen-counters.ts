/**
 * Which counters of each (author, device) stream a document has seen (ENV-5 dedup): a
 * contiguous watermark plus the counters seen above it, so duplicates are recognised and gaps
 * reported. Streams are keyed by author AND device: a device id is a free header field, so in a
 * many-writer document (`members:<conv>`) keying by device alone would let one author's op
 * shadow another author's op at the same (device, counter) (review C3).
 */
export interface SeenCounters {
  has(author: string, device: string, counter: number): boolean;
  add(author: string, device: string, counter: number): void;
  /** Marks `from..to` seen (an author snapshot's range, SNAP-3); callers bound the range. */
  addRange(author: string, device: string, from: number, to: number): void;
  /** Highest counter seen from the stream (0 if none). */
  max(author: string, device: string): number;
  /** Per device of `author`: the highest counter C with every counter 1..C seen (0 if none). */
  contiguous(author: string): Array<{ device: string; contiguous: number }>;
  /** Missing counters below the highest seen, per stream (bounded list). */
  gaps(limit?: number): Array<{ author: string; device: string; missing: number[] }>;
}

interface Stream {
  readonly author: string;
  readonly device: string;
  contiguous: number;
  readonly above: Set<number>;
  max: number;
}

export function createSeenCounters(): SeenCounters {
  const streams = new Map<string, Stream>();
  // A NUL separator cannot appear in a user or device id (both are validated UUIDs).
  const key = (author: string, device: string): string => `${author}\u0000${device}`;
  const slot = (author: string, device: string): Stream => {
    const k = key(author, device);
    let s = streams.get(k);
    if (s === undefined) {
      s = { author, device, contiguous: 0, above: new Set(), max: 0 };
      streams.set(k, s);
    }
    return s;
  };
  return {
    has(author, device, counter) {
      const s = streams.get(key(author, device));
      return s !== undefined && (counter <= s.contiguous || s.above.has(counter));
    },
    add(author, device, counter) {
      const s = slot(author, device);
      if (counter <= s.contiguous) return;
      s.above.add(counter);
      if (counter > s.max) s.max = counter;
      while (s.above.delete(s.contiguous + 1)) s.contiguous += 1;
    },
    addRange(author, device, from, to) {
      const s = slot(author, device);
      if (from <= s.contiguous + 1) {
        if (to > s.contiguous) s.contiguous = to;
        for (const c of s.above) if (c <= s.contiguous) s.above.delete(c);
        while (s.above.delete(s.contiguous + 1)) s.contiguous += 1;
      } else {
        for (let c = from; c <= to; c++) s.above.add(c);
      }
      if (to > s.max) s.max = to;
    },
    max(author, device) {
      return streams.get(key(author, device))?.max ?? 0;
    },
    contiguous(author) {
      const out: Array<{ device: string; contiguous: number }> = [];
      for (const s of streams.values()) if (s.author === author) out.push({ device: s.device, contiguous: s.contiguous });
      return out.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    },
    gaps(limit = 1000) {
      const out: Array<{ author: string; device: string; missing: number[] }> = [];
      for (const s of streams.values()) {
        if (s.contiguous === s.max) continue;
        const missing: number[] = [];
        for (let c = s.contiguous + 1; c < s.max && missing.length < limit; c++) if (!s.above.has(c)) missing.push(c);
        out.push({ author: s.author, device: s.device, missing });
      }
      return out;
    },
  };
}
