import type { UserId } from '../ids.js';
import type { Clock } from '../ports/clock.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import type { CounterTracker } from '../crypto/counter-tracker.js';
import type { RotationPolicy } from '../crypto/epoch-planner.js';
import type { Identity } from '../crypto/identity.js';
import type { KeyStore } from './key-store.js';
import type { MembershipViews } from './membership-views.js';
import type { QueuedPush } from './queued-push.js';

/** What the session layer is built from (the sync client wires it; no network here). */
export interface SessionDeps {
  readonly crypto: CryptoPort;
  readonly identity: Identity;
  readonly engine: Pick<EngineLink, 'audience'>;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly keys: KeyStore;
  readonly memberships: MembershipViews;
  /** Counters of opened envelopes (persisted by the caller with its cursors, M6). */
  readonly counters: CounterTracker;
  /** M4: tokens taken from an unverifiable grant; never reused as this device's own token of a scope. */
  readonly isUnverifiedToken?: (scope: string, token: string) => boolean;
  /** Capability scopes to claim at the relay (token, and the peer for a direct scope). */
  readonly claim: (scope: string, token: string, peer?: UserId) => StorageWrite[];
  /** Hands a sealed envelope, already durable under `sync/push/…`, to the push queue. */
  readonly queue: (push: QueuedPush) => void;
  /** KEY-6 rotation policy of the groups this device administers (default DEFAULT_ROTATION_POLICY). */
  readonly rotation?: RotationPolicy;
}
