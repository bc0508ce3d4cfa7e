import type { ConversationId, DocId } from '../ids.js';
import type { Core } from './core.js';
import { feedDocId } from '../model/doc-ids.js';
import { perCore } from './per-core.js';

/** Storage meta prefix: per group, the departures whose cut chunks were all re-filtered (device-local). */
export const DEPARTURE_META_PREFIX = 'engine/departures/';

/** Who left or was removed from a group, with their cutoffs ('' when the group is not known). */
export function departureSignature(core: Core, conversation: ConversationId): string {
  const s = core.groups.get(conversation)?.log.state();
  if (s === undefined) return '';
  return JSON.stringify([[...s.former.keys()].sort(), [...s.cutoffs].sort((a, b) => (a[0] < b[0] ? -1 : 1))]);
}

/**
 * A departure may cut changes in a former member's chunks that are not in memory (ADR 0019):
 * they are loaded, and the load re-filters them. This part does it once per departure and
 * remembers it: the departure's signature is stored when every such chunk has loaded (after the
 * index writes of those loads, in the persister's order). Opening compares each group's current
 * departures with the stored ones, so a device that died between storing a departure and
 * finishing the reloads completes them at the next open — and a device that finished them does
 * not load every former member's chunks again at every open.
 */
export interface DepartureReloads {
  /** Resolves once the stored signatures are read. */
  readonly ready: Promise<void>;
  /** Reload what the group's current departures cut, unless already done (or under way). */
  check(conversation: ConversationId, load: (doc: DocId) => Promise<void>): void;
}

function createDepartureReloads(core: Core): DepartureReloads {
  const done = new Map<string, string>();
  const underway = new Map<string, string>();
  const ready = (async () => {
    const listed = (await core.storage?.listMeta(DEPARTURE_META_PREFIX).catch(() => [])) ?? [];
    for (const [key, value] of listed) {
      if (typeof value === 'string') done.set(key.slice(DEPARTURE_META_PREFIX.length), value);
      else core.stats.invalidEntries++;
    }
  })();
  return {
    ready,
    check(conversation, load) {
      const former = core.groups.get(conversation)?.log.state().former;
      if (former === undefined || former.size === 0) return;
      const signature = departureSignature(core, conversation);
      if (done.get(conversation) === signature || underway.get(conversation) === signature) return;
      const ids: DocId[] = [];
      for (const [author, chunks] of core.docs.feedChunks(conversation)) {
        if (!former.has(author)) continue;
        for (const n of chunks) {
          const id = feedDocId(conversation, author, n);
          if (core.docs.isStoredUnloaded(id)) ids.push(id);
        }
      }
      underway.set(conversation, signature);
      void Promise.all(ids.map(load))
        .then(() => {
          if (underway.get(conversation) !== signature) return; // a newer departure took over
          underway.delete(conversation);
          done.set(conversation, signature);
          core.persister.commitMeta([{ type: 'putMeta', key: DEPARTURE_META_PREFIX + conversation, value: signature }]);
        })
        .catch(() => {
          if (underway.get(conversation) === signature) underway.delete(conversation); // retried at the next open
        });
    },
  };
}

export const departureReloads = perCore(createDepartureReloads);
