import type { Result } from '../errors.js';
import type { ConversationId, DocId, UserId } from '../ids.js';
import type { AckedChange, DocChange } from '../protocol/doc-change.js';
import type { StorageWrite } from './storage.js';
import type { CrdtBackendName } from './crdt.js';
import type { MembershipLog } from '../model/membership/index.js';

/** What is read of a group's membership log (ADR 0004): its fold and its applied ops, canonical order. */
export type MembershipLogReader = Pick<MembershipLog, 'state' | 'history' | 'allOps'>;

/**
 * What the sync and session layers use of the engine (ADR 0014): local changes out, peers'
 * changes in, routing, and the outbox. `Kith` satisfies it as it is, so
 * `createSyncClient({ kith, … })` takes an engine; tests may hand a smaller fake.
 */
export interface EngineLink {
  /** A Yjs engine's sync needs the decode sandbox (H4, SYNC-15). */
  readonly backend: CrdtBackendName;
  /** Profiles the engine holds (sync reads a user's username to look them up, SYNC-10). */
  readonly profile: { get(user: UserId): { readonly username: string } };
  /** Every local change, after it is durable in storage. */
  onOutgoing(listener: (change: DocChange) => void): () => void;
  /** Applies a change from a peer (authenticated by the session layer). Never throws. */
  receive(change: DocChange): Result<'applied' | 'duplicate' | 'pending'>;
  /** SBX-7: records a change the decode sandbox refused (counted, attributed, no longer a gap). */
  quarantine(change: DocChange, reason: string): Result<'quarantined' | 'duplicate'>;
  /**
   * A group's membership log as the engine folds it — the one fold (ADR 0014 addendum), local
   * ops included from the moment they are made; undefined when no op of the group is known.
   */
  membershipLog(conversation: ConversationId): MembershipLogReader | undefined;
  /** Groups the engine holds a membership log of. */
  membershipGroups(): ConversationId[];
  /** Who may read a document (recipients of grants and intros). */
  audience(doc: DocId): UserId[];
  /** Document-id prefixes this device follows. */
  subscriptions(): string[];
  /** Optional: called when `subscriptions()` gained a document outside any event the sync layer sees (a shared document opened, ADR 0025). */
  onSubscriptionsChanged?(listener: () => void): () => void;
  /** Local changes not yet acknowledged by the relay, oldest first. */
  outbox(): DocChange[];
  /** ADR 0022: my author snapshot of a closed feed chunk of mine, or null (optional: fakes may omit it). */
  compact?(doc: DocId): Promise<DocChange | null>;
  /**
   * Takes a change out of the outbox durably; `alongside` are committed in the SAME storage
   * commit (one atomic ack: the sync layer's push record goes with it). Several changes (a
   * range's, BATCH-8) are taken out in that one commit too.
   */
  acknowledge(change: AckedChange | readonly AckedChange[], alongside?: readonly StorageWrite[]): Promise<void>;
  /**
   * Commits the sync layer's writes for what it received (cursors, counters) after every change
   * `receive` took before the call, in the engine's own commit order: durability follows the
   * apply without an `idle()` handshake. Resolves when durable; rejects when the commit fails.
   */
  commitAfterReceived(writes: readonly StorageWrite[]): Promise<void>;
  /** Counters missing below the highest seen, per document and device. */
  gaps(): ReadonlyArray<{ readonly doc: DocId }>;
  /** Waits until queued local operations and storage writes are done (the sync client's own `idle`). */
  idle(): Promise<void>;
}
