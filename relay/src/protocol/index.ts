// @kith/relay/protocol — what a client needs to talk to the relay; no server code.
export {
  RELAY_PROTOCOL_VERSION,
  PRESENCE_STATES,
  SIGNAL_KINDS,
  CLIENT_FRAME_TYPES,
} from './frames.js';
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
} from './frames.js';
export { parseClientFrame, DEFAULT_CLIENT_FRAME_LIMITS } from './parse-client-frame.js';
export type { ClientFrameLimits } from './parse-client-frame.js';
export { parseServerFrame } from './parse-server-frame.js';
export { parseJsonSafe, asRecord, DEFAULT_JSON_LIMITS } from './safe-json.js';
export type { JsonLimits } from './safe-json.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export {
  registerSigningBytes,
  authSigningBytes,
  capabilitySigningBytes,
  capabilityScopeOf,
} from './signing.js';
export type { CapabilityGrant } from './signing.js';
