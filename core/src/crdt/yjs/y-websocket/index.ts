// @kith/core/y-websocket: end-to-end encryption for unmodified y-websocket apps (ADR 0025).
export { createKithWebSocket, roomOfUrl } from './kith-websocket.js';
export type { KithWebSocket, KithWebSocketClass, KithWebSocketOptions } from './kith-websocket.js';
export { decodeYFrame, encodeYFrame } from './y-sync-frames.js';
export type { YFrame } from './y-sync-frames.js';
