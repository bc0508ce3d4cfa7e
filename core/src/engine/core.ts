import type { Clock } from '../ports/clock.js';
import type { CrdtBackend } from '../ports/crdt.js';
import type { Random } from '../ports/random.js';
import type { Storage } from '../ports/storage.js';
import type { ConversationId, DeviceId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Hlc } from '../model/hlc.js';
import type { MembershipLog } from '../model/membership/membership-log.js';
import type { DocRegistry } from './doc-registry.js';
import type { EventHub } from './events.js';
import type { Persister } from './persister.js';
import type { SeenCounters } from './seen-counters.js';
import type { SerialQueue } from './serial-queue.js';

/** A group's membership log and the counters seen on `members:<conv>`. */
export interface GroupSlot {
  readonly log: MembershipLog;
  readonly seen: SeenCounters;
}

/** Figures the engine counts (exposed as `kith.stats()`). */
export interface EngineStats {
  /** Entries read from documents that failed validation and were ignored. */
  invalidEntries: number;
  /** Inbound changes refused (unauthorised, malformed, blocked…). */
  rejected: number;
  /** Inbound changes that were duplicates. */
  duplicates: number;
  /** Listener exceptions swallowed. */
  listenerErrors: number;
  /** Changes from others that could not be read and were quarantined (SBX-7). */
  quarantined: number;
}

/** The state shared by the engine's collaborators (one per createKith). Internal. */
export interface Core {
  readonly me: UserId;
  readonly device: DeviceId;
  readonly username: string;
  readonly backend: CrdtBackend;
  readonly clock: Clock;
  readonly random: Random;
  readonly hlc: Hlc;
  readonly chunkMessages: number;
  readonly storage: Storage | undefined;
  readonly docs: DocRegistry;
  readonly groups: Map<ConversationId, GroupSlot>;
  /** Direct conversations I know, with the other person. */
  readonly directs: Map<ConversationId, UserId>;
  readonly events: EventHub;
  readonly persister: Persister;
  readonly queue: SerialQueue;
  readonly stats: EngineStats;
  readonly outgoing: Set<(change: DocChange) => void>;
  /** True while replaying storage (no persistence, no events). */
  restoring: boolean;
}
