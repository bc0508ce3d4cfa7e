import { OBSERVE_BOUND_MS } from '../model/hlc.js';
import type { DocId } from '../ids.js';
import type { Core } from './core.js';
import { perCore } from './per-core.js';

/**
 * The clock-skew bound (docs/PROTOCOL.md ID-2, ADR 0016): a time a peer asserts — the time of a
 * message, call or share id, an edit, a reaction, a receipt watermark, a call's times — more
 * than `SKEW_MS` beyond this device's clock is **not yet due**: the record is stored and
 * replicated like any other (the CRDT and the author's causal chain stay whole, so peers
 * converge), but readers do not show it, nor let it order the conversation, until the clock
 * reaches it. A timer on the injected clock re-shows it then (`message` / `call` events).
 */
export const SKEW_MS = OBSERVE_BOUND_MS;

/** Whether a time asserted by a peer (ms since the epoch) is due on this device now. */
export const isDue = (core: Pick<Core, 'clock'>, ms: number): boolean => ms <= core.clock.now() + SKEW_MS;

/**
 * Timers that fire when a record that was not due becomes due (one per document and key).
 * `fire` re-reads the record and emits its event.
 */
export interface DueTimers {
  schedule(doc: DocId, key: string, at: number, fire: () => void): void;
}

/** The due timers of this engine (created on first use). */
export const dueTimers = perCore((core: Core): DueTimers => {
  const pending = new Map<string, number>();
  const t: DueTimers = {
    schedule(doc, key, at, fire) {
      const k = `${doc}\u0000${key}`;
      const due = at - SKEW_MS;
      const known = pending.get(k);
      if (known !== undefined && known <= due) return;
      pending.set(k, due);
      // Clocks take ms up to 2^31 - 1 in setTimeout-like ports: a far-future record re-arms.
      const wait = Math.min(Math.max(0, due - core.clock.now()), 2 ** 31 - 1);
      core.clock.setTimer(wait, () => {
        if (pending.get(k) !== due) return;
        pending.delete(k);
        if (core.clock.now() < due) t.schedule(doc, key, at, fire);
        else fire();
      });
    },
  };
  return t;
});
