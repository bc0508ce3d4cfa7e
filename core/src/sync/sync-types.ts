import type { Result } from '../errors.js';
import type { ConversationId, DocId, UserId } from '../ids.js';
import type { Clock } from '../ports/clock.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Random } from '../ports/random.js';
import type { Storage } from '../ports/storage.js';
import type { SecretVault } from '../ports/vault.js';
import type { Transport } from '../ports/transport.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { Identity } from '../crypto/identity.js';
import type { RotationPolicy } from '../crypto/epoch-planner.js';
import type { Attachment } from '../model/attachment.js';
import type { AttachmentInput } from './attachments.js';
import type { PresenceState, SignalKind } from '../protocol/relay/frames.js';
import type { SignalEvent } from './signals.js';
import type { SyncErrorEvent, SyncLogger } from './internal-errors.js';

// The sync client's public types (the implementation is sync-client.ts).
export type SyncState = 'offline' | 'connecting' | 'syncing' | 'upToDate' | 'gap';

export interface SyncClientOptions {
  /** The engine (a `Kith`; anything with the members of EngineLink). */
  readonly kith: EngineLink;
  readonly identity: Identity;
  readonly crypto: CryptoPort;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly random: Random;
  /** The device's storage (the engine's own; sync keeps its state under meta keys `sync/…`). */
  readonly storage: Storage;
  /** Wraps every secret the client persists (ADR 0012): `createWebCryptoVault` in apps, `createMemoryVault` in tests. */
  readonly vault: SecretVault;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /**
   * Untrusted CRDT payloads pass here before the engine (the decode sandbox: `vetWithSandbox`);
   * refuse with an error (`closed` = the sandbox is unavailable: the envelope waits). REQUIRED
   * when the engine runs on Yjs (H4, SYNC-15): `createSyncClient` throws `invalid_argument`
   * without it, unless `unsafeNoDecodeSandbox` is set. A `vet` with `range` (vetWithSandbox's)
   * gets a range's changes in one call (BATCH-10).
   */
  readonly vet?: VetChange;
  /**
   * ADR 0022: push author snapshots of my closed feed chunks, so the relay drops the envelopes they
   * cover (SNAP-4). Default true.
   */
  readonly compaction?: boolean;
  /**
   * UNSAFE: run a Yjs-backed client without a decode sandbox, so a member's crafted update is
   * decoded on the main thread (it can hang the app, yjs#687). For tests that do not care.
   */
  readonly unsafeNoDecodeSandbox?: boolean;
  /**
   * KEY-6: when the groups this device administers get a new key epoch besides removals —
   * after `maxMessages` feed changes under one epoch (counted by this device) or `maxAgeMs`.
   * Default DEFAULT_ROTATION_POLICY (10,000 messages / 7 days).
   */
  readonly rotation?: RotationPolicy;
  /** Where internal failures (bugs, never hostile input) are written besides `onError` (default `console`). */
  readonly logger?: SyncLogger;
  /**
   * BATCH-9: the most changes one envelope carries when a document's changes waited behind its
   * push in flight (default and maximum 256; 1 seals every change alone, as version 1 did).
   */
  readonly maxBatch?: number;
}

export interface SyncStats {
  pushed: number;
  acked: number;
  received: number;
  /** Envelopes opened and given to the engine (a range counts once; `received` counts changes). */
  envelopes: number;
  rejected: number;
  parked: number;
  intros: number;
  reconnects: number;
  /** Opened envelopes the engine refused. */
  refused: number;
  /** H1: pushes the relay holds DIFFERENT bytes for (equivocation after checking); never acknowledged. */
  conflicts: number;
  /** M1: opened envelopes refused only for now (engine full, sandbox unavailable): parked, counter not recorded. */
  deferred: number;
  /** Envelopes whose counter another envelope of the same stream took first (ENV-5). */
  equivocations: number;
  /** SYNC-21: local changes taken out of the outbox unsent because their author had left the conversation. */
  undeliverable: number;
}


/**
 * Vets one untrusted change before the engine sees it. `range` (optional): the changes of one
 * envelope's range at once, results in order — one sandbox round trip per range (BATCH-10).
 */
export interface VetChange {
  (change: DocChange): Promise<Result<void>>;
  readonly range?: (changes: readonly DocChange[]) => Promise<ReadonlyArray<Result<void>>>;
}

/** SYNC-21: a local change that left the outbox unsent: its author was removed (or left) first. */
export interface UndeliverableChange {
  readonly conversation: ConversationId;
  readonly doc: DocId;
  readonly counter: number;
  readonly code: 'not_a_member';
}

export interface SyncClient {
  readonly state: SyncState;
  readonly stats: Readonly<SyncStats>;
  start(): void;
  /** Disconnects and stops reconnecting; the engine is left open. */
  stop(): Promise<void>;
  onState(listener: (state: SyncState) => void): () => void;
  /**
   * Internal failures: a sync job threw something that is not a typed `KithError` (a bug, not
   * hostile input — that is counted in `stats.rejected` and dropped). Tests fail on any.
   */
  onError(listener: (event: SyncErrorEvent) => void): () => void;
  /** Finds a user by username at the relay and remembers their keys (for intros and key envelopes). */
  lookup(username: string): Promise<Result<UserId>>;
  /** C1/KEY-2: usernames whose signing key changed at the relay (never trusted silently). */
  keyChanges(): readonly { readonly username: string; readonly user: UserId }[];
  /** After the user confirmed (safety number): pins the identity the relay names now. */
  acceptKeyChange(username: string): Promise<Result<UserId>>;
  /** Whether nothing is in flight: no queued work and, while connected, no unacknowledged push or pending subscription. */
  quiet(): boolean;
  /** Waits for queued local work (sealing, applying) to finish. */
  idle(): Promise<void>;
  /** The relay session token (for blob uploads), once authenticated. */
  session(): string | undefined;
  setPresence(state: PresenceState, to: readonly UserId[]): void;
  signal(to: UserId, kind: SignalKind, payload: Uint8Array, device?: string): Result<void>;
  onSignal(listener: (event: SignalEvent) => void): () => void;
  /** SYNC-21: local changes that will never be sent (the app marks them failed). */
  onUndeliverable(listener: (event: UndeliverableChange) => void): () => void;
  onPresence(listener: (event: { user: string; device: string; state: PresenceState }) => void): () => void;
  /** Encrypts and uploads a file for a conversation; put the returned metadata in a message. */
  uploadAttachment(conversation: ConversationId, input: AttachmentInput): Promise<Result<Attachment>>;
  /** Downloads, verifies and decrypts an attachment of a message. */
  downloadAttachment(conversation: ConversationId, attachment: Attachment): Promise<Result<Uint8Array>>;
  /** Metadata only (no keys, no plaintext): subscriptions and their state, cursors, parked and held counts. */
  describe(): { subs: Record<string, string>; cursors: Record<string, number>; parked: number; held: number; queued: number; epochs: Record<string, number> };
}
