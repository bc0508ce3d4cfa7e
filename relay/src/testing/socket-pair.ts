import { binaryToServerFrame, decodeBinaryServerFrame, parseServerFrame, type ClientFrame, type ServerFrame } from '@kith/core/protocol';
import type { Relay } from '../relay.js';
import type { RelayConnection } from '../ws/socket.js';

/** The client end of an in-process socket: frames arrive synchronously in `inbox`. */
export interface TestSocketClient {
  readonly inbox: ServerFrame[];
  readonly closed: { code: number; reason: string } | undefined;
  /** Binary frames received (RLY-39..44); they are decoded into `inbox` like text ones. */
  readonly binaryFrames: number;
  send(frame: ClientFrame | string | Uint8Array): void;
  close(): void;
  /** Frames of tag `t` (optionally with request `id`). */
  frames<T extends ServerFrame['t']>(t: T, id?: number): Extract<ServerFrame, { t: T }>[];
  /** Seqs of every entry received, in arrival order: `entry` frames and the entries of `entries`
   *  frames (a backlog page, or live entries merged into one frame, RLY-24), optionally of one sub id. */
  entrySeqs(sub?: number): number[];
}

/** Opens an in-process socket pair to `relay`: no network, deterministic delivery. */
export function openTestSocket(relay: Relay, options: { bufferedAmount?: () => number } = {}): TestSocketClient {
  const inbox: ServerFrame[] = [];
  let closed: { code: number; reason: string } | undefined;
  let conn: RelayConnection | undefined;
  let binaryFrames = 0;
  conn = relay.connect({
    send(text) {
      if (closed !== undefined) return;
      if (typeof text !== 'string') binaryFrames++;
      const b = typeof text === 'string' ? undefined : decodeBinaryServerFrame(text, 64 * 1024 * 1024);
      if (b !== undefined && !b.ok) throw new Error('relay sent an invalid binary frame');
      const f = b === undefined ? parseServerFrame(text) : { ok: true as const, value: binaryToServerFrame(b.value) };
      if (!f.ok) throw new Error('relay sent an invalid frame');
      inbox.push(f.value);
    },
    close(code, reason) {
      closed ??= { code, reason };
    },
    get bufferedAmount() {
      return options.bufferedAmount?.() ?? 0;
    },
  });
  return {
    inbox,
    get closed() {
      return closed;
    },
    get binaryFrames() {
      return binaryFrames;
    },
    send(frame) {
      if (closed !== undefined) return;
      conn?.onMessage(typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame));
    },
    close() {
      closed ??= { code: 1000, reason: 'client' };
      conn?.onClose();
      conn = undefined;
    },
    frames<T extends ServerFrame['t']>(t: T, id?: number) {
      return inbox.filter((f): f is Extract<ServerFrame, { t: T }> => f.t === t && (id === undefined || ('id' in f && f.id === id)));
    },
    entrySeqs(sub) {
      return inbox.flatMap((f) =>
        f.t === 'entry' ? [f.seq] : f.t === 'entries' && (sub === undefined || f.id === sub) ? f.entries.map((e) => e.seq) : [],
      );
    },
  };
}

/** Flush until quiet: lets queued group commits and their acks run. No timers involved. */
export async function settle(relay: Relay, rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await relay.docs.drain();
    await new Promise<void>((r) => setImmediate(r));
  }
}
