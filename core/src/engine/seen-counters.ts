/**
 * Which counters of each device a document has seen (ENV-5 dedup): a contiguous watermark
 * plus the counters seen above it, so duplicates are recognised and gaps reported.
 */
export interface SeenCounters {
  has(device: string, counter: number): boolean;
  add(device: string, counter: number): void;
  /** Highest counter seen from the device (0 if none). */
  max(device: string): number;
  devices(): string[];
  /** Missing counters below the highest seen, per device (bounded list). */
  gaps(limit?: number): Array<{ device: string; missing: number[] }>;
}

export function createSeenCounters(): SeenCounters {
  const byDevice = new Map<string, { contiguous: number; above: Set<number>; max: number }>();
  const slot = (device: string) => {
    let s = byDevice.get(device);
    if (s === undefined) {
      s = { contiguous: 0, above: new Set(), max: 0 };
      byDevice.set(device, s);
    }
    return s;
  };
  return {
    has(device, counter) {
      const s = byDevice.get(device);
      return s !== undefined && (counter <= s.contiguous || s.above.has(counter));
    },
    add(device, counter) {
      const s = slot(device);
      if (counter <= s.contiguous) return;
      s.above.add(counter);
      if (counter > s.max) s.max = counter;
      while (s.above.delete(s.contiguous + 1)) s.contiguous += 1;
    },
    max(device) {
      return byDevice.get(device)?.max ?? 0;
    },
    devices() {
      return [...byDevice.keys()].sort();
    },
    gaps(limit = 1000) {
      const out: Array<{ device: string; missing: number[] }> = [];
      for (const [device, s] of byDevice) {
        if (s.contiguous === s.max) continue;
        const missing: number[] = [];
        for (let c = s.contiguous + 1; c < s.max && missing.length < limit; c++) if (!s.above.has(c)) missing.push(c);
        out.push({ device, missing });
      }
      return out;
    },
  };
}
