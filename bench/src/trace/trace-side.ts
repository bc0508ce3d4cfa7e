import type * as Y from 'yjs';

/** Bytes a side's server keeps for the document once the receiver has it all. */
export interface StoredBytes {
  /** What the report puts first (Kith: the relay's data directory; y-websocket: the encoded doc state). */
  readonly primary: number;
  /** Kith: the relay's `kith_relay_bytes_stored{kind="envelopes"}`; y-websocket: the sum of every update (an append-only log, y-leveldb before it trims). */
  readonly secondary: number;
  /** Kith: the data directory before the trace (accounts, the direct chat, the warm-up edit); y-websocket: 0. */
  readonly baseline: number;
  /** Kith: the data directory once the relay has stopped (SQLite folds its WAL into the database on close); y-websocket: undefined. */
  readonly atRest: number | undefined;
}

/**
 * One side of the trace bench: a sender's `Y.Text` (edited through an unmodified y-websocket
 * `WebsocketProvider`) and a receiver's, both connected and synced once `open` resolves.
 */
export interface TraceSession {
  readonly sender: Y.Text;
  /** Resolves once the receiver's text equals `text` (checked on its own `observe` events); rejects after `timeoutMs`. */
  receiverHas(text: string, timeoutMs: number): Promise<void>;
  /** Waits until the server holds every edit (Kith: the sender's outbox drained), then measures. */
  stored(): Promise<StoredBytes>;
  close(): Promise<void>;
}

export interface TraceSide {
  readonly name: string;
  open(): Promise<TraceSession>;
}

/** The receiver-side wait both sides share: on the text's own events, with a deadline. */
export function waitForText(text: Y.Text, want: string, timeoutMs: number, what: string): Promise<void> {
  if (text.length === want.length && text.toJSON() === want) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (text.length !== want.length || text.toJSON() !== want) return;
      clearTimeout(timer);
      text.unobserve(check);
      resolve();
    };
    const timer = setTimeout(() => {
      text.unobserve(check);
      reject(new Error(`bench trace: timed out after ${timeoutMs} ms waiting for ${what} (${text.length} of ${want.length} characters)`));
    }, timeoutMs);
    text.observe(check);
  });
}
