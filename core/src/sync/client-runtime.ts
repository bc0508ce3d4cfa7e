import type { ClientFrame } from '../protocol/relay/frames.js';

/** What the parts of the sync client share of its connection (implemented by sync-client.ts). */
export interface ClientRuntime {
  /** Sends a frame on the authenticated connection; `false` when there is none. */
  send(frame: ClientFrame): boolean;
  /** A fresh frame id. */
  nextId(): number;
  /** Authenticated on the current connection. */
  authed(): boolean;
  /** The relay session token, once logged in. */
  token(): string | undefined;
  /** Runs `fn` after every job queued before it, one at a time; what it throws is counted (KithError) or surfaced (SYNC-23), never rethrown. */
  enqueue(fn: () => Promise<void>): void;
}
