/**
 * Sizes of the side-by-side benchmark (issue 14 § 6). `BENCH_QUICK=1` shrinks every workload
 * for a smoke run (a few minutes); each size can also be set on its own (`BENCH_SUSTAINED`, …).
 */
export interface BenchSizes {
  /** Interleaved rounds (Kith, y-websocket, automerge-repo, Kith, …); medians are over these. */
  readonly rounds: number;
  /** One sender → one recipient, each message its own call, until all are shown. */
  readonly sustained: number;
  /** Send → shown, one at a time. */
  readonly latencySamples: number;
  /** Messages a device is behind when it reconnects. */
  readonly catchup: number;
  /** Fan-out: subscribers, senders, and messages per sender. */
  readonly fanoutSubscribers: number;
  readonly fanoutSenders: number;
  readonly fanoutPerSender: number;
  /** Cold open: history length of the peers' documents (Kith's figure comes from § domain). */
  readonly coldHistory: number;
  /** The same for automerge: building a history of one change per message is slow (100,000 did
   *  not finish in 25 minutes here), so its default is smaller and the report says so. */
  readonly coldHistoryAutomerge: number;
  /** Bytes of one chat message's text. */
  readonly messageBytes: number;
}

const quick = process.env['BENCH_QUICK'] === '1';
const num = (name: string, full: number, small: number): number => {
  const raw = process.env[name];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : quick ? small : full;
};

export function benchSizes(): BenchSizes {
  return {
    rounds: num('BENCH_ROUNDS', 3, 1),
    sustained: num('BENCH_SUSTAINED', 2000, 300),
    latencySamples: num('BENCH_LATENCY', 200, 50),
    catchup: num('BENCH_CATCHUP', 10_000, 1000),
    fanoutSubscribers: num('BENCH_FANOUT_SUBSCRIBERS', 100, 100),
    fanoutSenders: num('BENCH_FANOUT_SENDERS', 4, 4),
    fanoutPerSender: num('BENCH_FANOUT_PER_SENDER', 250, 50),
    coldHistory: num('BENCH_COLD_HISTORY', 100_000, 5000),
    coldHistoryAutomerge: num('BENCH_COLD_HISTORY_AUTOMERGE', 10_000, 2000),
    messageBytes: num('BENCH_MESSAGE_BYTES', 200, 200),
  };
}

const WORDS = ['see', 'you', 'at', 'the', 'station', 'train', 'leaves', 'nine', 'bring', 'tickets', 'coffee', 'later', 'sounds', 'good', 'running', 'late', 'photo', 'weekend', 'plan', 'okay'];

/**
 * A chat message of `bytes` characters (ASCII): `label i` and then words picked by a small
 * seeded generator, so texts differ as real ones do (a padding of one repeated letter would let
 * Automerge's compression win unfairly), and every run sends the same texts.
 */
export function chatText(label: string, i: number, bytes: number): string {
  let x = (i + 1) * 2654435761;
  let text = `${label} ${i}`;
  while (text.length < bytes) {
    x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    text += ` ${WORDS[x % WORDS.length]!}${x % 7 === 0 ? '.' : ''}`;
  }
  return text.slice(0, bytes);
}
