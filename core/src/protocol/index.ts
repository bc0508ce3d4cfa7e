// @kith/core/protocol — the relay wire protocol, defined once for the relay and its clients
// (docs/PROTOCOL.md § Relay API), and the byte codecs both sides use. No I/O.
export { RELAY_PROTOCOL_VERSION, PRESENCE_STATES, SIGNAL_KINDS, CLIENT_FRAME_TYPES, SERVER_FRAME_TYPES } from './relay/frames.js';
export type {
  ClientFrame,
  ClientFrameType,
  ServerFrame,
  ServerFrameType,
  PresenceState,
  SignalKind,
  Address,
  Sender,
  WireEntry,
} from './relay/frames.js';
export { parseClientFrame } from './relay/parse-client-frame.js';
export {
  BINARY_FRAME_FORMAT,
  BINARY_FRAMES,
  BINARY_ENTRIES_ID_OFFSET,
  encodeBinaryPush,
  decodeBinaryClientFrame,
  encodeBinaryServerFrame,
  decodeBinaryServerFrame,
  binaryToServerFrame,
} from './relay/binary-frames.js';
export type { BinaryPushFrame, BinaryServerFrame, BinaryEntry } from './relay/binary-frames.js';
export { parseServerFrame } from './relay/parse-server-frame.js';
export { DEFAULT_CLIENT_FRAME_LIMITS, DEFAULT_SERVER_FRAME_LIMITS } from './relay/limits.js';
export type { ClientFrameLimits, ServerFrameLimits } from './relay/limits.js';
export { parseJsonSafe, asRecord, DEFAULT_JSON_LIMITS } from './safe-json.js';
export type { JsonLimits } from './safe-json.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export { encodeHex, decodeHex } from './hex.js';
export { formatUuid } from '../ids.js';
