import type { DocChange, Kith, StorageWrite } from '@kith/core';

/**
 * A modified client (issue 13): what an engine sends can be tampered with before its sync client
 * seals it, under the member's own keys. `inject` queues crafted payloads per feed prefix
 * (`feed:<conv>:<me>:`): the next feed change of that conversation is preceded, in the member's
 * stream, by an extra change carrying the payload, and her later counters shift by one — the
 * extra is not part of her CRDT history, so it hides nothing else. Deterministic across
 * restarts (the state lives with the peer, not the engine).
 */
export interface Tamper {
  readonly inject: Map<string, Uint8Array[]>;
  /** Per feed doc, the original counters an extra change was inserted before, with its payload. */
  readonly inserts: Map<string, Array<{ readonly at: number; readonly payload: Uint8Array }>>;
  /** Author snapshots this client made (ADR 0022), for the convergence tally. */
  snapshots: number;
}

export const createTamper = (): Tamper => ({ inject: new Map(), inserts: new Map(), snapshots: 0 });

export function tamperingKith(kith: Kith, t: Tamper): Kith {
  const out = (c: DocChange): DocChange[] => {
    if (c.kind !== 'update' || !c.doc.startsWith('feed:')) return [c];
    let list = t.inserts.get(c.doc) ?? [];
    const prefix = c.doc.slice(0, c.doc.lastIndexOf(':') + 1);
    const queued = t.inject.get(prefix);
    const last = list.at(-1)?.at ?? 0;
    if (queued !== undefined && queued.length > 0 && c.counter > last) {
      list = [...list, { at: c.counter, payload: queued.shift()! }];
      t.inserts.set(c.doc, list);
    }
    const before = list.filter((i) => i.at < c.counter).length;
    const extras = list.filter((i) => i.at === c.counter);
    return [...extras.map((e) => ({ ...c, counter: c.counter + before, payload: e.payload })), { ...c, counter: c.counter + before + extras.length }];
  };
  /** The engine's counter of a sent change, or undefined for an injected one. */
  const original = (c: Pick<DocChange, 'doc' | 'device' | 'counter'>): number | undefined => {
    const list = t.inserts.get(c.doc) ?? [];
    for (let k = 0; k <= list.length; k++) {
      const o = c.counter - k;
      const before = list.filter((i) => i.at < o).length;
      const extra = list.some((i) => i.at === o) ? 1 : 0;
      if (o + before + extra === c.counter) return o;
      if (extra === 1 && o + before === c.counter) return undefined;
    }
    return c.counter;
  };
  return new Proxy(kith, {
    get(target, prop, receiver) {
      if (prop === 'onOutgoing') return (l: (c: DocChange) => void) => target.onOutgoing((c) => out(c).forEach(l));
      if (prop === 'outbox') return () => target.outbox().flatMap(out);
      // ADR 0022: this modified client never compacts a chunk it slipped crafted changes into
      // (its snapshot's ranges would name the engine's counters, not the shifted ones it sent).
      if (prop === 'compact') {
        return async (doc: DocChange['doc']) => {
          if ((t.inserts.get(doc)?.length ?? 0) > 0) return null;
          const made = await target.compact(doc);
          if (made !== null) t.snapshots++;
          return made;
        };
      }
      if (prop === 'acknowledge') {
        type Acked = Pick<DocChange, 'doc' | 'device' | 'counter'>;
        return async (c: Acked | readonly Acked[], alongside?: readonly StorageWrite[]) => {
          // An injected change is in no outbox: only the sync client's own writes (its push
          // record) are committed, under a counter no change has. A range (BATCH-8) is
          // acknowledged change by change, in one commit.
          const list: readonly Acked[] = Array.isArray(c) ? (c as readonly Acked[]) : [c as Acked];
          await target.acknowledge(list.map((x) => ({ ...x, counter: original(x) ?? -1 })), alongside);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
