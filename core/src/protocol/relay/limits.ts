/**
 * Bounds on relay frames (docs/PROTOCOL.md § Relay API). Sizes are in UTF-16 code units of the
 * JSON text, which is what a WebSocket text message arrives as.
 */

/** Limits on a client frame; the relay passes its configured values (RLY-2, RLY-11, RLY-20, RLY-21). */
export interface ClientFrameLimits {
  readonly maxFrameChars: number;
  readonly maxRecipients: number;
  readonly maxSignalChars: number;
  readonly maxPullLimit: number;
}

export const DEFAULT_CLIENT_FRAME_LIMITS: ClientFrameLimits = {
  maxFrameChars: 24 * 1024 * 1024,
  maxRecipients: 256,
  maxSignalChars: 96 * 1024,
  maxPullLimit: 1000,
};

/**
 * Limits on a server frame as the client checks them (RLY-2b). The client does not know the
 * relay's configuration, so these are generous ceilings, not the relay's defaults.
 */
export interface ServerFrameLimits {
  readonly maxFrameChars: number;
  readonly maxSignalChars: number;
}

export const DEFAULT_SERVER_FRAME_LIMITS: ServerFrameLimits = {
  maxFrameChars: 64 * 1024 * 1024,
  maxSignalChars: 1024 * 1024,
};

/** Request ids are 31-bit: the relay refuses larger ones, so it never echoes one. */
export const MAX_FRAME_ID = 0x7fffffff;
/** A document id (`parseDocId` allows no longer one, and the relay stores no other). */
export const MAX_DOC_CHARS = 200;
/** Session tokens and capability tokens: `[A-Za-z0-9_-]`. */
export const MAX_TOKEN_CHARS = 128;
export const MAX_ERROR_MESSAGE_CHARS = 4096;
