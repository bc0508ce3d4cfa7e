import type { Counter } from './counter.js';

/**
 * One system under test as the first three workloads drive it: a sender and a recipient of one
 * conversation (Kith: a direct chat; y-websocket: one Y.Array; automerge-repo: one document's
 * list), each message its own call, and the recipient's "shown" count raised by its own events.
 */
export interface ChatPair {
  /** Sends one message (one `messages.send` / Y.Array push / automerge change). */
  send(text: string): Promise<void>;
  /** Messages the recipient shows (decrypted, applied, visible). */
  readonly shown: Counter;
  /** The recipient goes offline (its app stops syncing; it keeps its local state). */
  recipientOffline(): Promise<void>;
  /** Resolves once the server holds everything sent so far (acks, or a witness shows it). */
  serverHasAll(sent: number, timeoutMs: number): Promise<void>;
  /** The recipient reconnects; its `shown` then catches up. */
  recipientOnline(): Promise<void>;
  /** Envelopes (pushes) the sender has sent so far, when the system has them (Kith: BATCH-9). */
  readonly pushed?: () => number;
  close(): Promise<void>;
}

/** A system: starts its server (a child process) and opens a pair against it. */
export interface ChatSystem {
  readonly name: string;
  open(): Promise<ChatPair>;
}
