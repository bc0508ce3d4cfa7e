import { changeKey, type DocChange } from '../protocol/doc-change.js';
import type { SecureSession } from '../session/secure-session.js';

/**
 * Local changes waiting to be sealed (SYNC-1): a change whose key or membership is not there yet
 * (`unknown_epoch`, …) is held, and later changes of the same document wait behind it so pushes
 * stay in counter order. `seal()` retries the held ones (after keys or membership changed).
 * SYNC-21: a change its author can never send (she was removed from, or left, the conversation
 * before it was sealed) is not held forever: it leaves through `undeliverable` and no longer
 * blocks the later changes of its document.
 */
export interface OutgoingSealer {
  seal(change?: DocChange): Promise<void>;
  /** At start: holds every change of `outbox` (oldest first) that was never queued (a crash before sealing), then seals. */
  resume(outbox: readonly DocChange[]): Promise<void>;
  readonly held: number;
}

export function createOutgoingSealer(
  session: Pick<SecureSession, 'sealOutgoing' | 'departed'>,
  queued: (key: string) => boolean,
  undeliverable: (change: DocChange) => Promise<void> = () => Promise.resolve(),
): OutgoingSealer {
  const held: DocChange[] = [];
  /** `sealed`: queued for the relay; `held`: try later; `dropped`: can never be sent. */
  const sealOne = async (change: DocChange): Promise<'sealed' | 'held' | 'dropped'> => {
    if (queued(changeKey(change))) return 'sealed';
    const r = await session.sealOutgoing(change);
    if (r.ok) return 'sealed';
    return session.departed(change) ? 'dropped' : 'held';
  };
  const sealer: OutgoingSealer = {
    get held() {
      return held.length;
    },
    async seal(change) {
      if (change !== undefined) held.push(change);
      const blocked = new Set<string>();
      for (let i = 0; i < held.length; ) {
        const c = held[i]!;
        const outcome = blocked.has(c.doc) ? 'held' : await sealOne(c);
        if (outcome === 'held') {
          blocked.add(c.doc);
          i++;
          continue;
        }
        held.splice(i, 1);
        if (outcome === 'dropped') await undeliverable(c);
      }
    },
    async resume(outbox) {
      for (const c of outbox) if (!queued(changeKey(c))) held.push(c);
      await sealer.seal();
    },
  };
  return sealer;
}
