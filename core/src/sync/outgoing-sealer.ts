import { contentConversationOf, conversationOfDoc } from '../model/doc-ids.js';
import { changeKey, type DocChange } from '../protocol/doc-change.js';
import type { SecureSession } from '../session/secure-session.js';

/** BATCH-9: the most changes one range carries, and the most payload bytes. */
export const MAX_BATCH_CHANGES = 256;
export const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Local changes waiting to be sealed (SYNC-1): a change whose key or membership is not there yet
 * (`unknown_epoch`, …) is held, and later changes of the same document wait behind it so pushes
 * stay in counter order. `seal()` retries the held ones (after keys or membership changed).
 * SYNC-21: a change its author can never send (she was removed from, or left, the conversation
 * before it was sealed) is not held forever: it leaves through `undeliverable` and no longer
 * blocks the later changes of its document.
 * BATCH-9 (in-flight coalescing): while a push of a document is queued (`busy`), its later
 * changes wait here; the next `seal()` after that push left the queue seals the consecutive
 * updates waiting as ONE range (at most MAX_BATCH_CHANGES / MAX_BATCH_BYTES). A change of an
 * idle document is sealed at once: nothing waits on a timer.
 * KEY-10: a conversation's content change (feed chunk, shared document) is never sealed ahead of
 * an earlier own membership op of that conversation still waiting here: the session's view (and
 * so the AUTH-1 send gate and the epoch chosen) takes own ops in outbox order, so a message
 * written after my removal of a member must wait for that removal to be sealed, then goes under
 * the epoch that counts it — never under the one the removed member still holds.
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
  busy: (doc: string) => boolean = () => false,
  maxBatch = MAX_BATCH_CHANGES,
): OutgoingSealer {
  const held: DocChange[] = [];
  /** `sealed`: queued for the relay; `held`: try later; `dropped`: can never be sent. */
  const sealRun = async (run: readonly DocChange[]): Promise<'sealed' | 'held' | 'dropped'> => {
    const r = await session.sealOutgoing(run.length === 1 ? run[0]! : run);
    if (r.ok) return 'sealed';
    return session.departed(run[0]!) ? 'dropped' : 'held';
  };
  /** Indices in `held` of the run starting at `i`: the doc's next consecutive updates, bounded. */
  const runFrom = (i: number): number[] => {
    const first = held[i]!;
    const out = [i];
    if (first.kind !== 'update') return out;
    let bytes = first.payload.length;
    let last = first;
    for (let j = i + 1; j < held.length && out.length < maxBatch; j++) {
      const c = held[j]!;
      if (c.doc !== first.doc) continue;
      if (c.kind !== 'update' || c.device !== first.device || c.counter !== last.counter + 1 || queued(changeKey(c))) break;
      if (bytes + c.payload.length > MAX_BATCH_BYTES) break;
      bytes += c.payload.length;
      out.push(j);
      last = c;
    }
    return out;
  };
  const sealer: OutgoingSealer = {
    get held() {
      return held.length;
    },
    async seal(change) {
      if (change !== undefined) held.push(change);
      const blocked = new Set<string>();
      /** KEY-10: conversations with an own membership op waiting: their content waits behind it. */
      const behindMemberOp = new Set<string>();
      const hold = (c: DocChange): void => {
        blocked.add(c.doc);
        const conv = c.kind === 'member' ? conversationOfDoc(c.doc) : undefined;
        if (conv !== undefined) behindMemberOp.add(conv);
      };
      for (let i = 0; i < held.length; ) {
        const c = held[i]!;
        const content = contentConversationOf(c.doc);
        if (blocked.has(c.doc) || (content !== undefined && behindMemberOp.has(content))) {
          i++;
          continue;
        }
        if (queued(changeKey(c))) {
          held.splice(i, 1);
          continue;
        }
        if (maxBatch > 1 && busy(c.doc)) {
          hold(c); // BATCH-9: waits for the doc's queued push to be acknowledged
          i++;
          continue;
        }
        const indices = runFrom(i);
        const run = indices.map((j) => held[j]!);
        const outcome = await sealRun(run);
        if (outcome === 'held') {
          hold(c);
          i++;
          continue;
        }
        for (const j of [...indices].reverse()) held.splice(j, 1);
        if (outcome === 'dropped') for (const d of run) await undeliverable(d);
      }
    },
    async resume(outbox) {
      for (const c of outbox) if (!queued(changeKey(c))) held.push(c);
      await sealer.seal();
    },
  };
  return sealer;
}
