import type { DocId, UserId } from '../ids.js';
import type { EngineLink } from '../ports/engine-link.js';
import { changeKey, type DocChange } from '../protocol/doc-change.js';
import { feedDocId, parseDocRef } from '../model/doc-ids.js';

/**
 * ADR 0022 (SNAP-4): pushes author snapshots of my closed feed chunks. A chunk of mine is closed
 * when my device writes the first change of the next one. Once none of its changes is waiting for
 * the relay and no received envelope is parked, one work-queue job reads the document's receive
 * cursor and has the engine make the snapshot: every entry up to that cursor was given to the
 * engine before, so the snapshot covers it, and the push says `supersedes: cursor` (SNAP-1).
 */
export interface SnapshotPusher {
  /** Every local change: a first change of chunk n+1 of mine makes chunk n a candidate. */
  noteOutgoing(change: DocChange): void;
  /** Tries the candidates (call inside a work-queue job). */
  run(): Promise<void>;
  /** `supersedes` for the push of a change key, if it is a snapshot this pusher made. */
  supersedes(key: string): number | undefined;
  /** Candidates not compacted yet (metadata for tests and `describe`). */
  readonly pending: number;
}

export interface SnapshotPusherDeps {
  readonly me: UserId;
  readonly engine: Pick<EngineLink, 'compact' | 'outbox'>;
  readonly cursors: ReadonlyMap<string, number>;
  /** Received envelopes parked (not in the engine yet although the cursor may have passed them). */
  readonly parked: () => number;
}

export function createSnapshotPusher(deps: SnapshotPusherDeps): SnapshotPusher {
  const candidates = new Set<DocId>();
  const made = new Map<string, number>();
  return {
    noteOutgoing(change) {
      if (change.kind !== 'update' || change.counter !== 1) return;
      const ref = parseDocRef(change.doc);
      if (ref?.kind !== 'feed' || ref.author !== deps.me || ref.chunk === 0) return;
      candidates.add(feedDocId(ref.conversation, ref.author, ref.chunk - 1));
    },
    async run() {
      const compact = deps.engine.compact;
      if (compact === undefined || candidates.size === 0 || deps.parked() > 0) return;
      const waiting = new Set(deps.engine.outbox().map((c) => c.doc as string));
      for (const doc of [...candidates]) {
        const cursor = deps.cursors.get(doc) ?? 0;
        if (waiting.has(doc) || cursor === 0) continue;
        candidates.delete(doc);
        const snapshot = await compact(doc);
        if (snapshot !== null) made.set(changeKey(snapshot), cursor);
      }
    },
    supersedes: (key) => made.get(key),
    get pending() {
      return candidates.size;
    },
  };
}
