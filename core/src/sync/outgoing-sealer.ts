import type { DocChange } from '../protocol/doc-change.js';
import type { SecureSession } from './secure-session.js';

/**
 * Local changes waiting to be sealed (SYNC-1): a change whose key or membership is not there yet
 * (`unknown_epoch`, …) is held, and later changes of the same document wait behind it so pushes
 * stay in counter order. `seal()` retries the held ones (after keys or membership changed).
 */
export interface OutgoingSealer {
  /** Holds a change without sealing yet (the next `seal` takes it). */
  hold(change: DocChange): void;
  seal(change?: DocChange): Promise<void>;
  readonly held: number;
}

export function createOutgoingSealer(session: SecureSession, queued: (key: string) => boolean): OutgoingSealer {
  const held: DocChange[] = [];
  const sealOne = async (change: DocChange): Promise<boolean> => {
    if (queued(`${change.doc}|${change.counter}`)) return true;
    const r = await session.sealOutgoing(change);
    return r.ok;
  };
  return {
    get held() {
      return held.length;
    },
    hold(change) {
      held.push(change);
    },
    async seal(change) {
      if (change !== undefined) held.push(change);
      const blocked = new Set<string>();
      for (let i = 0; i < held.length; ) {
        const c = held[i]!;
        if (!blocked.has(c.doc) && (await sealOne(c))) {
          held.splice(i, 1);
        } else {
          blocked.add(c.doc);
          i++;
        }
      }
    },
  };
}
