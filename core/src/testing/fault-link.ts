import type { InProcessConnection, InProcessSocket } from '../index.js';
import { decodeBase64 } from '../protocol/index.js';
import type { SeededRandom } from './seeded-random.js';

/** Per-frame fault probabilities for one peer's link to the relay (both directions). */
export interface LinkFaults {
  /** Lose the frame and the connection with it (a TCP stream cannot lose one frame and go on). */
  drop: number;
  /** Deliver a data frame twice (see `isDataFrame`). */
  duplicate: number;
  /** Hold a data frame back and deliver it after the next frame in the same direction (or at release). */
  reorder: number;
}

export interface FaultCounters {
  frames: number;
  dropped: number;
  duplicated: number;
  reordered: number;
}

export const NO_FAULTS: LinkFaults = { drop: 0, duplicate: 0, reorder: 0 };

/**
 * Frames that carry changes: `push` up, `entry` / `entries` / `ack` down. Only these are
 * duplicated or reordered, and a frame never overtakes one of the SAME document (see
 * `frameDoc`). A WebSocket (TCP) never duplicates or reorders frames of one connection, and the
 * relay sends each document's entries in seq order; what does happen is the same change arriving
 * twice (a push resent after a reconnect, entries replayed from an older cursor) and documents
 * progressing in a different order relative to each other, which this models. Control frames
 * (auth, sub/ok/error, hello, presence, ping) keep their order and count. Findings that led here
 * (a duplicated `sub` looped; an `entry` overtaking an earlier one of its document is skipped for
 * good by the client's cursor) are in docs/reliability.md.
 */
/**
 * The document a data frame is about: `doc` of a relay frame, or the document named in a pushed
 * envelope's header (version, kind, length, document id). '' when unknown (then order is kept).
 */
export function frameDoc(text: string): string {
  const doc = /"doc":"([^"]+)"/.exec(text.slice(0, 300))?.[1];
  if (doc !== undefined) return doc;
  const env = /"env":"([A-Za-z0-9+/_-]{8,400})/.exec(text.slice(0, 420))?.[1];
  if (env === undefined) return '';
  // Whole quanta of the prefix only (the match stops before any padding).
  const b = decodeBase64(env.slice(0, 4 * Math.floor(env.length / 4)));
  if (b === undefined) return '';
  const len = b[2] ?? 0;
  return b.length >= 3 + len ? String.fromCharCode(...b.subarray(3, 3 + len)) : '';
}

export function isDataFrame(text: string): boolean {
  const t = /"t":"([a-z]+)"/.exec(text.slice(0, 24))?.[1];
  return t === 'push' || t === 'entry' || t === 'entries' || t === 'ack';
}

/**
 * Sits between one peer's memory transport and the relay: every frame either way is rolled
 * against the link's faults with the run's seeded random. `release()` delivers frames held back.
 */
export interface FaultLink {
  faults: LinkFaults;
  readonly counters: FaultCounters;
  accept(socket: InProcessSocket, connect: (socket: InProcessSocket) => InProcessConnection): InProcessConnection;
  release(): void;
}

interface Slot {
  fn: (() => void) | undefined;
  doc: string;
}

export function createFaultLink(random: SeededRandom, counters: FaultCounters): FaultLink {
  const held: Array<() => void> = [];
  const roll = (p: number): boolean => p > 0 && random.next() < p;
  const link: FaultLink = {
    faults: { ...NO_FAULTS },
    counters,
    release() {
      for (const f of held.splice(0)) f();
    },
    accept(socket, connect) {
      let cut = false;
      let toRelay: InProcessConnection | undefined;
      const heldUp: Slot = { fn: undefined, doc: '' };
      const heldDown: Slot = { fn: undefined, doc: '' };
      const pass = (slot: Slot, text: string, deliver: () => void, kill: () => void): void => {
        if (cut) return;
        counters.frames++;
        const f = link.faults;
        if (roll(f.drop)) {
          counters.dropped++;
          cut = true;
          kill();
          return;
        }
        if (!isDataFrame(text)) {
          // Control frames keep their place: what was held back goes first.
          const held = slot.fn;
          if (held !== undefined) held();
          if (!cut) deliver();
          return;
        }
        const doc = frameDoc(text);
        // Never overtake a frame of the same document: it goes first.
        if (slot.fn !== undefined && slot.doc === doc) slot.fn();
        const times = roll(f.duplicate) ? 2 : 1;
        if (times === 2) counters.duplicated++;
        const run = (): void => {
          for (let i = 0; i < times; i++) if (!cut) deliver();
        };
        if (slot.fn === undefined && roll(f.reorder)) {
          const fn = (): void => {
            if (slot.fn !== fn) return;
            slot.fn = undefined;
            run();
          };
          slot.fn = fn;
          slot.doc = doc;
          held.push(fn);
          return;
        }
        run();
        const later = slot.fn;
        if (later !== undefined) {
          counters.reordered++; // overtaken by a frame of another document
          later();
        }
      };
      const kill = (): void => socket.close(1006, 'injected: frame lost');
      const wrapped: InProcessSocket = {
        send: (text) => pass(heldDown, text, () => socket.send(text), kill),
        close: (code, reason) => {
          cut = true;
          socket.close(code, reason);
        },
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
      };
      toRelay = connect(wrapped);
      return {
        onMessage: (data) => pass(heldUp, typeof data === 'string' ? data : '', () => toRelay?.onMessage(data), kill),
        onClose: () => {
          cut = true;
          toRelay?.onClose();
          toRelay = undefined;
        },
      };
    },
  };
  return link;
}
