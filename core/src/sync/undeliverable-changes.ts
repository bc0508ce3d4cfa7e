import { feedConversationOf } from '../model/doc-ids.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createListeners } from './listeners.js';
import type { SyncStats, UndeliverableChange } from './sync-types.js';

/** Where a change its author can never send goes (SYNC-21), and who is told of it. */
export interface UndeliverableChanges {
  /** Takes the change out of the outbox (durably), counts it and tells the listeners; never pushed. */
  report(change: DocChange): Promise<void>;
  readonly listen: (listener: (event: UndeliverableChange) => void) => () => void;
}

export function createUndeliverableChanges(stats: SyncStats, engine: Pick<EngineLink, 'acknowledge'>): UndeliverableChanges {
  const listeners = createListeners<UndeliverableChange>(true);
  return {
    async report(change) {
      stats.undeliverable++;
      await engine.acknowledge(change);
      const conversation = feedConversationOf(change.doc);
      if (conversation !== undefined) listeners.emit({ conversation, doc: change.doc, counter: change.counter, code: 'not_a_member' });
    },
    listen: listeners.add,
  };
}
