import type { Identity } from '../crypto/identity.js';
import type { Clock } from '../ports/clock.js';
import type { Random } from '../ports/random.js';
import type { Transport, TransportConnection } from '../ports/transport.js';
import { login } from './relay-http.js';
import type { ClientFrame, ServerFrame } from '../protocol/relay/frames.js';
import { parseServerFrame } from '../protocol/relay/parse-server-frame.js';
import { decodeBase64 as fromBase64 } from '../protocol/base64.js';
import { BINARY_FRAMES, binaryToServerFrame, decodeBinaryServerFrame, encodeBinaryPush } from '../protocol/relay/binary-frames.js';
import { DEFAULT_SERVER_FRAME_LIMITS } from '../protocol/relay/limits.js';
import type { SyncStats } from './sync-types.js';
import type { WorkQueue } from './work-queue.js';

/**
 * The connection lifecycle of a sync client (ADR 0009, PROTOCOL § Sync): connect, log in over
 * HTTP, authenticate the socket with the session token, and on close reconnect with jittered
 * exponential backoff on the injected clock. Every frame leaves through `send` (the `auth`
 * frame too: it alone may go before the socket is authenticated).
 */
export interface Connection {
  readonly start: () => void;
  /** Stops reconnecting and closes the socket (its close handler is then ignored). */
  readonly stop: () => void;
  /** Sends a frame on the current socket: only `auth` before authentication; `false` when it cannot. */
  readonly send: (frame: ClientFrame) => boolean;
  readonly nextId: () => number;
  /** A socket is open or opening. */
  readonly connected: () => boolean;
  readonly authed: () => boolean;
  /** The relay session token, once logged in. */
  readonly token: () => string | undefined;
}

export interface ConnectionDeps {
  readonly transport: Transport;
  readonly identity: Identity;
  readonly clock: Clock;
  readonly random: Random;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly stats: SyncStats;
  readonly work: WorkQueue;
  /** A valid frame from the relay (`authed` is handled here first, then passed on too). */
  readonly onFrame: (frame: ServerFrame) => void;
  /** The socket is gone (closed or stopped): what was in flight on it starts over. */
  readonly onLost: () => void;
  /** The connection state may have changed (`connecting`: a new socket is being opened). */
  readonly onChange: (connecting?: boolean) => void;
}

export function createConnection(deps: ConnectionDeps): Connection {
  const { transport, identity, clock, random, backoff, stats, work } = deps;
  let conn: TransportConnection | undefined;
  let token: string | undefined;
  let authed = false;
  let stopped = true;
  let attempt = 0;
  let cancelRetry: (() => void) | undefined;
  let nextId = 1;
  /** RLY-39: the relay confirmed binary hot frames on this socket. */
  let binary = false;

  /** The one send path: JSON text on the current socket; a push as a binary frame once negotiated (RLY-41). */
  const send = (frame: ClientFrame): boolean => {
    if (conn === undefined || (!authed && frame.t !== 'auth')) return false;
    const env = binary && frame.t === 'push' ? fromBase64(frame.env) : undefined;
    if (frame.t === 'push' && env !== undefined) {
      conn.send(encodeBinaryPush({ t: 'push', id: frame.id, env, ...(frame.cap === undefined ? {} : { cap: frame.cap }), ...(frame.supersedes === undefined ? {} : { supersedes: frame.supersedes }) }));
    } else conn.send(JSON.stringify(frame));
    return true;
  };
  const lost = (): void => {
    authed = false;
    binary = false;
    deps.onLost();
  };
  const retry = (): void => {
    const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt++);
    const jitter = 0.5 + (random.bytes(1)[0]! / 255) * 0.5;
    cancelRetry = clock.setTimer(Math.round(exp * jitter), () => {
      cancelRetry = undefined;
      stats.reconnects++;
      connect();
    });
  };
  const connect = (): void => {
    if (stopped || conn !== undefined) return;
    deps.onChange(true);
    const c = transport.connect({
      onOpen: () => {
        work.enqueue(async () => {
          const t = await login(transport.fetch, identity);
          if (!t.ok || conn !== c) {
            c.close(4000, 'login failed');
            return;
          }
          token = t.value;
          send({ v: 1, t: 'auth', id: nextId++, token: t.value, ...(transport.binaryFrames === true ? { frames: BINARY_FRAMES } : {}) });
        });
      },
      onMessage: (data) => {
        const b = typeof data === 'string' ? undefined : decodeBinaryServerFrame(data, DEFAULT_SERVER_FRAME_LIMITS.maxFrameChars);
        // RLY-45: a binary frame on a socket that did not negotiate them is refused like a bad one.
        const f = b === undefined ? parseServerFrame(data) : b.ok && binary ? { ok: true as const, value: binaryToServerFrame(b.value) } : { ok: false as const };
        if (!f.ok) {
          stats.rejected++;
          return;
        }
        if (f.value.t === 'authed') {
          authed = true;
          binary = f.value.frames === BINARY_FRAMES;
          attempt = 0;
        }
        deps.onFrame(f.value);
      },
      onClose: () => {
        if (conn !== c) return;
        conn = undefined;
        lost();
        deps.onChange();
        if (!stopped) retry();
      },
    });
    conn = c;
  };

  return {
    start: () => {
      stopped = false;
      connect();
    },
    stop: () => {
      stopped = true;
      cancelRetry?.();
      const c = conn;
      conn = undefined;
      lost();
      c?.close(1000, 'stop');
    },
    send,
    nextId: () => nextId++,
    connected: () => conn !== undefined,
    authed: () => authed,
    token: () => token,
  };
}
