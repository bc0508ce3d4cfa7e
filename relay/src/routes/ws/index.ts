import { Hono } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { Relay } from '../../relay.js';
import type { RelayConnection, RelaySocket } from '../../ws/socket.js';
import type { RelayEnv } from '../http.js';

/** The part of a Node stream the adapter corks (`ws`'s underlying `net.Socket`). */
interface Corkable {
  cork(): void;
  uncork(): void;
  readonly writableLength: number;
}

/** Corked bytes past which the adapter writes at once instead of at the end of the turn. */
const MAX_CORKED_BYTES = 64 * 1024;

/**
 * Adapts Hono's WSContext to the relay's minimal socket. Frames sent to one socket during one
 * event-loop turn (a group commit's acks and live entries) leave in one `writev` (RLY-24): the
 * TCP socket is corked on the first send and uncorked at `setImmediate`, or as soon as
 * `MAX_CORKED_BYTES` are pending, so corking never holds back a large backlog.
 */
function toRelaySocket(ws: WSContext<unknown>): RelaySocket {
  const tcp = (ws.raw as { _socket?: Partial<Corkable> } | undefined)?._socket;
  const corkable = typeof tcp?.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as Corkable) : undefined;
  let corked = false;
  const uncork = (): void => {
    if (!corked) return;
    corked = false;
    corkable?.uncork();
  };
  return {
    send(text) {
      if (corkable !== undefined && !corked) {
        corked = true;
        corkable.cork();
        setImmediate(uncork);
      }
      // Hono sends a string as a text message and bytes as a binary one (RLY-39).
      ws.send(typeof text === 'string' ? text : (text as Uint8Array<ArrayBuffer>));
      if (corked && corkable !== undefined && corkable.writableLength > MAX_CORKED_BYTES) uncork();
    },
    close: (code, reason) => ws.close(code, reason),
    get bufferedAmount() {
      const raw = ws.raw as { bufferedAmount?: number } | undefined;
      return raw?.bufferedAmount ?? 0;
    },
  };
}

/** `GET /v1/ws`: the WebSocket endpoint (frames in docs/PROTOCOL.md § Relay API). */
export function createWebSocketRoutes(relay: Relay, upgradeWebSocket: UpgradeWebSocket<unknown>): Hono<RelayEnv> {
  return new Hono<RelayEnv>().get(
    '/v1/ws',
    upgradeWebSocket(() => {
      let conn: RelayConnection | undefined;
      return {
        onOpen(_event, ws) {
          conn = relay.connect(toRelaySocket(ws));
        },
        onMessage(event) {
          conn?.onMessage(event.data);
        },
        onClose() {
          conn?.onClose();
        },
        onError() {
          conn?.onClose();
        },
      };
    }),
  );
}
