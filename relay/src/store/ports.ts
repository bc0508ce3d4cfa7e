import type { EnvelopeKind } from '@kith/core';

/**
 * Storage ports of the relay. Each has a memory, a SQLite and a PostgreSQL implementation that all pass
 * `runRelayStoreConformance` (store/conformance.ts).
 * Every method that writes resolves only once the write is durable (RLY-10).
 */

/** One envelope to append, already decoded and signature-checked by the caller. */
export interface AppendRequest {
  readonly doc: string;
  /** Author key, lowercase hex. */
  readonly author: string;
  /** Device id bytes, lowercase hex. */
  readonly device: string;
  /** The envelope's first counter. */
  readonly counter: number;
  /**
   * BATCH-7: its last counter (`to` of a version 2 range; `counter` for version 1). A range is
   * one entry; it is a `duplicate` only of the same range with the same hash, and
   * `equivocation` if it overlaps any other stored or compacted range of the stream.
   */
  readonly to: number;
  readonly kind: EnvelopeKind;
  /** SHA-256 of `bytes`, lowercase hex: byte-identical retries are duplicates (ENV-5). */
  readonly hash: string;
  readonly bytes: Uint8Array;
}

export type AppendOutcome =
  | { readonly status: 'stored'; readonly seq: number }
  | { readonly status: 'duplicate'; readonly seq: number }
  /**
   * Same (doc, author, device, counter) stored (or compacted), different bytes — or, for ranges,
   * any overlap that is not the same range (BATCH-7). A counter below the highest seen that was
   * never stored is NOT refused: it is stored (ENV-5, review H1).
   */
  | { readonly status: 'equivocation' };

export interface LogEntry {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

export interface DocLogStore {
  /**
   * Appends a batch in ONE durable transaction (group commit) and returns one outcome per
   * request, in order. Requests in one batch see each other (a duplicate inside a batch is a
   * duplicate). `seq` is relay-global and strictly increasing, so it orders each document.
   */
  append(batch: readonly AppendRequest[]): Promise<AppendOutcome[]>;
  /** Entries of `doc` with seq > `after`, ascending, at most `limit`. */
  read(doc: string, after: number, limit: number): Promise<LogEntry[]>;
  /**
   * Drops the entries of `doc` with seq ≤ `through` other than `keepSeq` (the snapshot that
   * supersedes them), in one durable transaction. SNAP-7: per (author, device) stream they are
   * folded into compacted runs (consecutive counters, at most 1,024 entries, one digest each),
   * not one row per entry. SNAP-8: a dropped envelope pushed again is a `duplicate` (acked with
   * its run's highest seq); a range crossing a run's edge, or one the run's digest does not hold,
   * is `equivocation`. Returns the number of entries dropped.
   */
  compact(doc: string, keepSeq: number, through: number): Promise<number>;
  /** Total envelope bytes stored. */
  storedBytes(): Promise<number>;
  /** SNAP-9: bytes of compaction bookkeeping (the runs: keys, counters, digests), relay-wide. */
  compactedBytes(): Promise<number>;
  /** The highest seq stored and durable so far, relay-wide (0 when empty): CAP-5's rotation point. */
  maxSeq(): Promise<number>;
  /**
   * Shared stores (PostgreSQL) only: the highest seq stored per document (0 for one never
   * written), for the cluster fan-out (RLY-34).
   */
  heads?(docs: readonly string[]): Promise<Map<string, number>>;
}

export interface BlobMeta {
  readonly id: string;
  readonly size: number;
}

export interface BlobPutOptions {
  readonly id: string;
  readonly owner: string;
  /** Abort with `too_large` beyond this many bytes. */
  readonly maxBytes: number;
  /**
   * Called after the last chunk with the byte count; a failure aborts the put (used to check
   * the content hash). Nothing is visible before it returns ok.
   */
  readonly verify: (size: number) => { ok: true } | { ok: false; code: 'malformed' | 'too_large' };
}

export type BlobPutOutcome =
  | { readonly status: 'stored'; readonly size: number }
  | { readonly status: 'exists'; readonly size: number }
  | { readonly status: 'rejected'; readonly code: 'malformed' | 'too_large' };

export interface BlobStore {
  /** Streams `chunks` into a new blob; atomic: either the whole verified blob is stored or nothing. */
  put(chunks: AsyncIterable<Uint8Array>, options: BlobPutOptions): Promise<BlobPutOutcome>;
  stat(id: string): Promise<BlobMeta | undefined>;
  /** Bytes [start, end] inclusive, streamed. The caller checks the range against `stat`. */
  read(id: string, start: number, end: number): AsyncIterable<Uint8Array>;
  /** Bytes charged to `owner` (the first uploader of each blob). */
  usage(owner: string): Promise<number>;
  storedBytes(): Promise<number>;
}

/**
 * Blob quota reservations (BLOB-2) kept in a store shared by every relay instance. Without one
 * the relay keeps them in process memory (routes/blobs/quota.ts), which holds for one process.
 */
export interface BlobReservationStore {
  /**
   * Atomically, against every instance: reserves `want` bytes (or as many as remain up to
   * `cap` when `want` is undefined) for `owner` if usage + live reservations + it fit `quota`.
   * Resolves to the amount reserved (0: none left, or `want` does not fit).
   */
  reserve(owner: string, want: number | undefined, cap: number, quota: number): Promise<number>;
  /** Releases one reservation of `bytes` made for `owner`. */
  release(owner: string, bytes: number): Promise<void>;
}

export interface AccountRecord {
  readonly userId: string;
  /** As registered (case preserved). */
  readonly username: string;
  /** The unique key: NFKC + lowercase. */
  readonly usernameKey: string;
  /** Ed25519 public key, hex. */
  readonly signKey: string;
  /** X25519 public key, hex. */
  readonly boxKey: string;
  /**
   * The signed public identity (KEY-1, core's `encodePublicIdentity`: signKey ‖ boxKey ‖
   * signature, 128 bytes), hex. Verified at registration; absent only for accounts registered
   * by a client that did not send it yet.
   */
  readonly identity?: string;
  readonly createdAt: number;
}

export interface SessionRecord {
  /** SHA-256 of the bearer token, hex; the token itself is never stored. */
  readonly tokenHash: string;
  readonly userId: string;
  readonly device: string;
  readonly expiresAt: number;
}

export interface BackupRecord {
  readonly version: number;
  readonly bytes: Uint8Array;
}

export interface CapabilityRecord {
  readonly scope: string;
  readonly version: number;
  /** hex SHA-256 of the read token */
  readonly readHash: string;
  /** hex SHA-256 of the write token, or undefined */
  readonly writeHash?: string;
  /** hex Ed25519 keys that may sign the next version */
  readonly controllers: readonly string[];
  /** CAP-5: read tokens of earlier versions (newest first), each readable up to the seq `until`. */
  readonly retired?: readonly RetiredRead[];
}

/** CAP-5: a rotated-out read token still reads what was stored up to the rotation (`seq ≤ until`). */
export interface RetiredRead {
  /** hex SHA-256 of the read token */
  readonly readHash: string;
  readonly until: number;
}

export interface AccountStore {
  /** `taken` when the username key or the user id is already registered. */
  createAccount(record: AccountRecord): Promise<'created' | 'taken'>;
  getAccountByUsername(usernameKey: string): Promise<AccountRecord | undefined>;
  getAccount(userId: string): Promise<AccountRecord | undefined>;
  /** `rollback` unless `version` is greater than the stored version (RLY-15). */
  putBackup(userId: string, backup: BackupRecord): Promise<'stored' | 'rollback'>;
  getBackup(userId: string): Promise<BackupRecord | undefined>;
  putSession(session: SessionRecord): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRecord | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Deletes sessions with expiresAt ≤ now; returns how many. */
  pruneSessions(now: number): Promise<number>;
  getCapability(scope: string): Promise<CapabilityRecord | undefined>;
  /** Stores `record` if its version is exactly one above the stored one (or 1 when none): else `conflict`. */
  putCapability(record: CapabilityRecord): Promise<'stored' | 'conflict'>;
}

/** One SES-1 challenge waiting for its signed answer. */
export interface PendingChallenge {
  /** 32 random bytes, lowercase hex. */
  readonly nonce: string;
  readonly userId: string;
  /** The client address that asked (L3 counts per address). */
  readonly address: string;
  readonly expiresAt: number;
}

/**
 * SES-1 challenges kept where every relay instance sees them (a shared store), so a challenge
 * issued by one instance can be answered at another. Without one the relay keeps them in
 * process memory (store/memory/challenges.ts), which holds for one process.
 */
export interface ChallengeStore {
  /**
   * Records `c` unless `maxTotal` unexpired challenges exist (`full`) or `c.address` holds
   * `maxPerAddress` unexpired ones (`address_full`). Expired ones (expiresAt ≤ now) never count.
   */
  issue(c: PendingChallenge, now: number, maxTotal: number, maxPerAddress: number): Promise<'issued' | 'full' | 'address_full'>;
  /** Removes and returns the challenge: at most once across every instance (one-time nonce). */
  take(nonce: string): Promise<PendingChallenge | undefined>;
}

/** Everything a relay stores. `close` flushes and releases files. */
export interface RelayStore {
  readonly docs: DocLogStore;
  readonly blobs: BlobStore;
  readonly accounts: AccountStore;
  /** Present on stores shared by several instances (PostgreSQL). */
  readonly reservations?: BlobReservationStore;
  /** Present on stores shared by several instances (PostgreSQL): SES-1 challenges. */
  readonly challenges?: ChallengeStore;
  /** `sqlite-wal-FULL`, `postgresql-synchronous_commit=on`, `memory`…: reported by /health and the logs. */
  readonly durability: string;
  /** Durability syncs (fsyncs of the log) so far, when the store counts them (/metrics). */
  readonly fsyncs?: () => number;
  /** A round trip to a database server (PostgreSQL); rejects when it is unreachable. /health calls it. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}
