/**
 * The minimal socket the relay's WebSocket logic needs. server/node.ts adapts `ws`; tests use
 * an in-process pair (testing/socket-pair.ts).
 */
export interface RelaySocket {
  /** A text frame, or a binary one (RLY-39: only to a client that negotiated binary frames). */
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
}

/** What the server feeds into a connection. */
export interface RelayConnection {
  onMessage(data: unknown): void;
  onClose(): void;
}

/** Close codes the relay uses (RLY-3). */
export const CLOSE_CODES = {
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  tryAgainLater: 1013,
  authDeadline: 4401,
  sessionExpired: 4403,
  rateLimited: 4429,
} as const;
