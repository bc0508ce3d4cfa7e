import { MAX_BODY_BYTES } from '@kith/core';

/** Every limit the relay enforces (OPS-4). Defaults suit one small deployment. */
export interface RelayLimits {
  /** Largest WebSocket message (`ws` maxPayload); bigger envelopes go through HTTP push. */
  readonly maxFrameBytes: number;
  /** Largest HTTP push body: one encoded envelope. */
  readonly maxEnvelopeBytes: number;
  /** Largest JSON body on HTTP routes. */
  readonly maxJsonBytes: number;
  readonly maxBlobBytes: number;
  /** Blob bytes an account may own. */
  readonly accountQuotaBytes: number;
  readonly maxBackupBytes: number;
  /** A new socket that has not authenticated by then is closed. */
  readonly authDeadlineMs: number;
  readonly sessionTtlMs: number;
  readonly challengeTtlMs: number;
  readonly maxChallenges: number;
  /** Unexpired challenges one client address may hold (L3). */
  readonly maxChallengesPerAddress: number;
  /** Per-connection frames per second and burst. */
  readonly connRate: number;
  readonly connBurst: number;
  /** Per-account operations per second and burst (all its connections and HTTP calls). */
  readonly accountRate: number;
  readonly accountBurst: number;
  /** Per client address, unauthenticated HTTP (register, challenge, lookup, backup fetch). */
  readonly ipRate: number;
  readonly ipBurst: number;
  /**
   * Signals and presence per (sender, recipient) pair (M3): cost 1 per 8 KiB started, `peerRate`
   * per second up to `peerBurst`. Excess frames are dropped with `rate_limited` to the sender.
   */
  readonly peerRate: number;
  readonly peerBurst: number;
  /**
   * Ephemeral frames (signal, presence) are dropped, never queued, for a recipient whose send
   * buffer holds more than this: a flood cannot make the relay close the victim (M3).
   */
  readonly maxEphemeralBufferedBytes: number;
  readonly maxSubscriptionsPerConnection: number;
  /** A socket whose send buffer exceeds this is a slow consumer and is closed. */
  readonly maxBufferedBytes: number;
  readonly maxPullLimit: number;
  /**
   * Live entries of one document pending for a subscriber together (one group commit's, or a
   * subscription's buffer) go out as one frame of at most this many entries and about this
   * many envelope bytes (RLY-23).
   */
  readonly maxLiveFrameEntries: number;
  readonly maxLiveFrameBytes: number;
  readonly maxSignalChars: number;
  readonly maxRecipients: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxFrameBytes: 4 * 1024 * 1024,
  maxEnvelopeBytes: MAX_BODY_BYTES + 1024,
  maxJsonBytes: 64 * 1024,
  maxBlobBytes: 100 * 1024 * 1024,
  accountQuotaBytes: 1024 * 1024 * 1024,
  maxBackupBytes: 1024 * 1024,
  authDeadlineMs: 10_000,
  sessionTtlMs: 7 * 24 * 3600 * 1000,
  challengeTtlMs: 60_000,
  maxChallenges: 100_000,
  maxChallengesPerAddress: 64,
  connRate: 500,
  connBurst: 2000,
  accountRate: 2000,
  accountBurst: 10_000,
  ipRate: 20,
  ipBurst: 100,
  peerRate: 20,
  peerBurst: 200,
  maxEphemeralBufferedBytes: 1024 * 1024,
  maxSubscriptionsPerConnection: 2000,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxPullLimit: 1000,
  maxLiveFrameEntries: 64,
  maxLiveFrameBytes: 256 * 1024,
  maxSignalChars: 96 * 1024,
  maxRecipients: 256,
};
