/**
 * Time source. Every timer in Kith (presence TTL, retries, backoff, epoch age) runs on this
 * port so tests control time. `now()` is milliseconds since the Unix epoch.
 */
export interface Clock {
  now(): number;
  /** Schedule `fn` after `ms`; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}
