import type { Clock } from '@kith/core';
import type { RelayLimits } from '../config.js';
import type { Logger } from '../ops/logger.js';
import type { RelayMetrics } from '../ops/metrics.js';
import type { RateLimiter } from '../ops/rate-limit.js';
import type { RelayStore } from '../store/ports.js';

/** What every relay service shares: stores, time, limits, logs, counters, rate limiters. */
export interface RelayContext {
  readonly store: RelayStore;
  readonly clock: Clock;
  readonly limits: RelayLimits;
  readonly logger: Logger;
  readonly metrics: RelayMetrics;
  /** per account, across its connections and HTTP calls */
  readonly accountLimiter: RateLimiter;
  /** signals and presence per `${sender}|${recipient}` (M3) */
  readonly peerLimiter: RateLimiter;
  /** per client address, unauthenticated HTTP */
  readonly ipLimiter: RateLimiter;
}
