import type { ErrorCode } from '../../errors.js';

/**
 * WebSocket frames between a Kith client and the relay — protocol version 1, specified in
 * docs/PROTOCOL.md § Relay API (rules RLY-*). Every frame is one JSON text message with
 * `v: 1`, a tag `t` and, for client requests, a numeric `id` the relay echoes in its reply.
 * Byte fields (envelopes, opaque payloads) are standard base64 (../base64.ts).
 *
 * The one definition for both sides: the relay parses client frames with `parseClientFrame`,
 * the sync client parses server frames with `parseServerFrame` (both strict, RLY-2, RLY-2b).
 */
export const RELAY_PROTOCOL_VERSION = 1;

export const PRESENCE_STATES = ['online', 'away', 'busy', 'offline'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/** Ephemeral signals forwarded between users' devices, never stored (RLY-20). */
export const SIGNAL_KINDS = ['typing', 'offer', 'answer', 'ice', 'ring', 'accept', 'decline', 'hangup', 'awareness'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** A recipient: every device of `user`, or only `device`. */
export interface Address {
  readonly user: string;
  readonly device?: string;
}

export type ClientFrame =
  /** `frames: "binary-1"` asks for binary hot frames (RLY-39); any other value is ignored. */
  | { readonly v: 1; readonly t: 'auth'; readonly id: number; readonly token: string; readonly frames?: 'binary-1' }
  | {
      readonly v: 1;
      readonly t: 'push';
      readonly id: number;
      /** base64 of an encoded envelope (docs/PROTOCOL.md § Envelope). */
      readonly env: string;
      /** The write capability of the document's scope, when the scope has one (CAP-4). */
      readonly cap?: string;
      /** For a `snapshot` envelope: the highest seq it supersedes (SNAP-1). */
      readonly supersedes?: number;
    }
  | {
      readonly v: 1;
      readonly t: 'pull';
      readonly id: number;
      readonly doc: string;
      readonly cap: string;
      readonly after: number;
      readonly limit: number;
    }
  | { readonly v: 1; readonly t: 'sub'; readonly id: number; readonly doc: string; readonly cap: string; readonly after: number }
  | { readonly v: 1; readonly t: 'unsub'; readonly id: number; readonly doc: string }
  | { readonly v: 1; readonly t: 'presence'; readonly id: number; readonly state: PresenceState; readonly to: readonly string[] }
  | {
      readonly v: 1;
      readonly t: 'signal';
      readonly id: number;
      readonly kind: SignalKind;
      readonly to: Address;
      /** base64 of an end-to-end encrypted payload; opaque to the relay. */
      readonly body: string;
    }
  | { readonly v: 1; readonly t: 'ping'; readonly id: number };

export type ClientFrameType = ClientFrame['t'];
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = ['auth', 'push', 'pull', 'sub', 'unsub', 'presence', 'signal', 'ping'];

/** One stored log entry as sent to clients. */
export interface WireEntry {
  readonly seq: number;
  /** base64 envelope */
  readonly env: string;
}

export interface Sender {
  readonly user: string;
  readonly device: string;
}

export type ServerFrame =
  | { readonly v: 1; readonly t: 'hello'; readonly authDeadlineMs: number; readonly maxFrameBytes: number }
  /** `frames: "binary-1"`: the relay confirms binary hot frames from now on (RLY-39). */
  | { readonly v: 1; readonly t: 'authed'; readonly id: number; readonly user: string; readonly device: string; readonly expiresAt: number; readonly frames?: 'binary-1' }
  | { readonly v: 1; readonly t: 'ack'; readonly id: number; readonly doc: string; readonly seq: number; readonly duplicate: boolean }
  | {
      readonly v: 1;
      readonly t: 'entries';
      readonly id: number;
      readonly doc: string;
      readonly entries: readonly WireEntry[];
      /** Cursor for the next pull (the last seq returned, or `after` when none). */
      readonly next: number;
      readonly more: boolean;
    }
  /** A live entry of a subscribed document. */
  | { readonly v: 1; readonly t: 'entry'; readonly doc: string; readonly seq: number; readonly env: string }
  | { readonly v: 1; readonly t: 'ok'; readonly id: number }
  | { readonly v: 1; readonly t: 'presence'; readonly from: Sender; readonly state: PresenceState }
  | { readonly v: 1; readonly t: 'signal'; readonly from: Sender; readonly kind: SignalKind; readonly body: string }
  | { readonly v: 1; readonly t: 'pong'; readonly id: number }
  | { readonly v: 1; readonly t: 'error'; readonly id?: number; readonly code: ErrorCode; readonly message: string };

export type ServerFrameType = ServerFrame['t'];
export const SERVER_FRAME_TYPES: readonly ServerFrameType[] = ['hello', 'authed', 'ack', 'entries', 'entry', 'ok', 'presence', 'signal', 'pong', 'error'];
