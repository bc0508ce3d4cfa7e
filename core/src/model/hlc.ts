import type { Clock } from '../ports/clock.js';
import type { Random } from '../ports/random.js';
import type { UserId } from '../ids.js';
import { isUuid, uuidV7Time } from '../ids.js';
import { createAuthoredId } from './authored-id.js';

/**
 * A hybrid logical clock producing UUIDv7 ids (ADR 0001 § Ordering): the 48-bit time is
 * max(wall clock, every id seen), the 12-bit counter orders ids within one millisecond.
 * Ids from one clock strictly increase (unless the wall clock goes back by more than the skew
 * bound, ID-2: the clock then restarts from it); an id created after seeing another sorts after it.
 * Every id is bound to the clock's author (ID-1). The counter of a new millisecond starts at a
 * random value below 2,048, so two devices of one account creating an id in the same
 * millisecond differ in the counter too (the id keeps only 14 random bits beside the tag).
 */
export interface Hlc {
  /** A fresh id, greater than every id this clock created or observed. */
  next(): string;
  /** The greatest id this clock issued (ID-3: stored so a restart resumes past it), or null. */
  last(): string | null;
  /** Advance past an id seen from elsewhere (ignored when it is not a UUIDv7). */
  observe(id: string): void;
}

/** The skew bound of ID-2 (engine/due.ts SKEW_MS): ids further ahead are not observed. */
export const OBSERVE_BOUND_MS = 5 * 60_000;

export function createHlc(clock: Clock, random: Random, author: UserId): Hlc {
  let ms = 0;
  let counter = -1;
  let last: string | null = null;
  return {
    last: () => last,
    next() {
      const now = Math.floor(clock.now());
      // ID-2: this device's clock went back by more than the skew bound (it ran ahead and was
      // corrected). Staying monotonic would date every new id beyond the bound — not due on
      // this device (a send would not find its own message) nor anywhere else — so the clock
      // restarts from now: new ids sort before the ones dated ahead, which is real time.
      if (ms > now + OBSERVE_BOUND_MS) ms = 0;
      if (now > ms) {
        ms = now;
        const r = random.bytes(2);
        counter = ((r[0]! << 8) | r[1]!) & 0x7ff;
      } else if (counter >= 0xfff) {
        ms += 1;
        counter = 0;
      } else {
        counter += 1;
      }
      last = createAuthoredId(author, ms, counter, random.bytes(8));
      return last;
    },
    observe(id) {
      if (!isUuid(id) || id[14] !== '7') return;
      const t = uuidV7Time(id);
      const c = parseInt(id.slice(15, 18), 16);
      // Ids beyond the skew bound (a hostile or broken peer) must not drag our clock along: our
      // own ids would then be dated in the future for everyone else (ID-2).
      if (t > clock.now() + OBSERVE_BOUND_MS) return;
      if (t > ms || (t === ms && c > counter)) {
        ms = t;
        counter = c;
      }
    },
  };
}
