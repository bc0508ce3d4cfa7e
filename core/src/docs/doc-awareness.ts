import type { DocId, UserId } from '../ids.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { SyncClient } from '../sync/sync-types.js';

/** One awareness message from another device (DOC-6): the bytes are the app's (e.g. y-protocols awareness). */
export interface AwarenessEvent {
  readonly from: UserId;
  readonly device: string;
  readonly payload: Uint8Array;
}

/** Ephemeral presence in one shared document (DOC-6): never stored, by the engine or the relay. */
export interface DocAwareness {
  /** Sends `payload` to every device of every reader of the document but this one; how many users it reached. */
  send(payload: Uint8Array): number;
  on(listener: (event: AwarenessEvent) => void): () => void;
  close(): void;
}

const encoder = new TextEncoder();

/** DOC-6 framing: `doc id ‖ 0x00 ‖ bytes`. */
export function encodeAwareness(doc: DocId, payload: Uint8Array): Uint8Array {
  const id = encoder.encode(doc);
  const out = new Uint8Array(id.length + 1 + payload.length);
  out.set(id, 0);
  out.set(payload, id.length + 1);
  return out;
}

/** The bytes of an awareness message for `doc`, or undefined when it is for another document. */
export function decodeAwareness(doc: DocId, message: Uint8Array): Uint8Array | undefined {
  const id = encoder.encode(doc);
  if (message.length <= id.length || message[id.length] !== 0) return undefined;
  for (let i = 0; i < id.length; i++) if (message[i] !== id[i]) return undefined;
  return message.subarray(id.length + 1);
}

/**
 * Awareness of a shared document over the sync client's signals (SYNC-7 sealed, signed boxes):
 * sent to the document's readers (`engine.audience`), accepted only from a current reader,
 * for this document, and not from this device itself.
 */
export function createDocAwareness(deps: {
  readonly engine: Pick<EngineLink, 'audience'> & { readonly device: string };
  readonly sync: Pick<SyncClient, 'signal' | 'onSignal'>;
  readonly doc: DocId;
}): DocAwareness {
  const { engine, sync, doc } = deps;
  const listeners = new Set<(event: AwarenessEvent) => void>();
  const stop = sync.onSignal((event) => {
    if (event.kind !== 'awareness' || event.device === engine.device) return;
    const payload = decodeAwareness(doc, event.payload);
    if (payload === undefined || !engine.audience(doc).includes(event.from)) return;
    for (const l of listeners) l({ from: event.from, device: event.device, payload: payload.slice() });
  });
  return {
    send(payload) {
      const message = encodeAwareness(doc, payload);
      let reached = 0;
      for (const user of engine.audience(doc)) if (sync.signal(user, 'awareness', message).ok) reached++;
      return reached;
    },
    on(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      listeners.clear();
      stop();
    },
  };
}
