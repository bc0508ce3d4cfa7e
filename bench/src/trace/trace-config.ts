/** Sizes of the editing-trace bench (issue 18): `BENCH_QUICK=1` shrinks them; each can be set on its own. */
export interface TraceSizes {
  /** Characters of the generated document. */
  readonly chars: number;
  /** Interleaved rounds (Kith, y-websocket, Kith, …). */
  readonly rounds: number;
  readonly seed: number;
}

const quick = process.env['BENCH_QUICK'] === '1';
const num = (name: string, full: number, small: number): number => {
  const raw = process.env[name];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : quick ? small : full;
};

export function traceSizes(): TraceSizes {
  return { chars: num('BENCH_TRACE_CHARS', 10_000, 1000), rounds: num('BENCH_TRACE_ROUNDS', 3, 1), seed: num('BENCH_TRACE_SEED', 18, 18) };
}
