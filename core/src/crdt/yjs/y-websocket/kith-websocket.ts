import * as Y from 'yjs';
import type { ConversationId } from '../../../ids.js';
import type { DocsApi, SharedDoc } from '../../../docs/docs-api.js';
import type { DocAwareness } from '../../../docs/doc-awareness.js';
import type { EngineLink } from '../../../ports/engine-link.js';
import type { SyncClient } from '../../../sync/sync-types.js';
import { createDocAwareness } from '../../../docs/doc-awareness.js';
import { encodeHex } from '../../../protocol/hex.js';
import { yjsSharedDocs } from '../yjs-shared-doc.js';
import { decodeYFrame, encodeYFrame, type YFrame } from './y-sync-frames.js';

/** What the polyfill needs: a signed-in engine and its sync client, and the conversation the documents belong to. */
export interface KithWebSocketOptions {
  readonly kith: { readonly docs: DocsApi; readonly device: string } & Pick<EngineLink, 'audience'>;
  readonly sync: Pick<SyncClient, 'signal' | 'onSignal'>;
  readonly conversation: ConversationId;
  /** DOC-4: who may write the rooms' documents (default every member). */
  readonly writers?: 'members' | 'admins';
}

/** The part of the WebSocket interface a y-websocket `WebsocketProvider` uses. */
export interface KithWebSocket {
  readonly url: string;
  readonly readyState: number;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: ArrayBuffer | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type KithWebSocketClass = new (url: string, protocols?: string | string[]) => KithWebSocket;

/** The room of a provider's url (`serverUrl/room?params`): the shared document's name. */
export function roomOfUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * A `WebSocket` class for `new WebsocketProvider(url, room, ydoc, { WebSocketPolyfill })`:
 * nothing leaves the device through it. Each socket opens the conversation's shared document
 * named after the room (ADR 0025) and plays the y-websocket server's part against it — sync
 * step 1/2 and updates on the document (which Kith stores, seals under the conversation's keys
 * and syncs through the relay), awareness as DOC-6 signals to the other members. The provider
 * stays "connected" while offline: edits persist and sync once the network is back.
 */
export function createKithWebSocket(options: KithWebSocketOptions): KithWebSocketClass {
  const { kith, sync, conversation } = options;
  const writers = options.writers ?? 'members';

  return class implements KithWebSocket {
    readonly CONNECTING = 0 as const;
    readonly OPEN = 1 as const;
    readonly CLOSING = 2 as const;
    readonly CLOSED = 3 as const;
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readyState = 0;
    binaryType = 'arraybuffer';
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    readonly url: string;
    #shared: SharedDoc<Y.Doc> | undefined;
    #awareness: DocAwareness | undefined;
    #stop: Array<() => void> = [];
    /** The last awareness update of each remote device (answers query-awareness). */
    #remoteAwareness = new Map<string, Uint8Array>();
    /** Awareness updates just handed to the provider: its re-broadcast of them is not sent again. */
    #echo = new Set<string>();

    constructor(url: string) {
      this.url = url;
      void kith.docs.open(conversation, roomOfUrl(url), { backend: yjsSharedDocs, writers }).then(
        (shared) => this.#opened(shared),
        (error: unknown) => {
          this.onerror?.(error);
          this.#closed(1011, 'cannot open the shared document');
        },
      );
    }

    #opened(shared: SharedDoc<Y.Doc>): void {
      if (this.readyState !== 0) return shared.close();
      this.#shared = shared;
      const forward = (update: Uint8Array, origin: unknown): void => {
        if (origin !== this) this.#deliver({ t: 'sync', step: 'update', bytes: update });
      };
      const doc = shared.doc;
      doc.on('update', forward);
      this.#stop.push(() => doc.off('update', forward));
      // A removal rebuilt the document (DOC-4): the provider must sync again from the new one.
      this.#stop.push(shared.onReplaced(() => this.close(4000, 'document rebuilt')));
      const awareness = createDocAwareness({ engine: { audience: kith.audience, device: kith.device }, sync, doc: shared.id });
      this.#awareness = awareness;
      this.#stop.push(
        awareness.on((e) => {
          this.#remoteAwareness.set(`${e.from}/${e.device}`, e.payload);
          this.#echo.add(encodeHex(e.payload));
          this.#deliver({ t: 'awareness', bytes: e.payload });
        }),
      );
      this.#stop.push(() => awareness.close());
      this.readyState = 1;
      this.onopen?.({ type: 'open' });
      // The server's half of the handshake: our state vector, so the provider sends what we lack.
      this.#deliver({ t: 'sync', step: 'step1', bytes: Y.encodeStateVector(doc) });
    }

    #deliver(frame: YFrame): void {
      const bytes = encodeYFrame(frame);
      queueMicrotask(() => {
        if (this.readyState === 1) this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
      });
    }

    send(data: ArrayBuffer | Uint8Array): void {
      const shared = this.#shared;
      if (this.readyState !== 1 || shared === undefined) return;
      const frame = decodeYFrame(data instanceof Uint8Array ? data : new Uint8Array(data));
      if (frame === undefined) return;
      switch (frame.t) {
        case 'sync':
          if (frame.step === 'step1') {
            this.#deliver({ t: 'sync', step: 'step2', bytes: Y.encodeStateAsUpdate(shared.doc, frame.bytes) });
            return;
          }
          try {
            Y.applyUpdate(shared.doc, frame.bytes, this); // a local edit: Kith stores and sends it
          } catch {
            this.onerror?.({ type: 'error', message: 'malformed update' });
          }
          return;
        case 'awareness':
          if (this.#echo.delete(encodeHex(frame.bytes))) return;
          this.#awareness?.send(frame.bytes);
          return;
        case 'queryAwareness':
          for (const bytes of this.#remoteAwareness.values()) this.#deliver({ t: 'awareness', bytes });
          return;
        case 'auth':
          return;
      }
    }

    close(code = 1000, reason = ''): void {
      if (this.readyState >= 2) return;
      this.readyState = 2;
      this.#closed(code, reason);
    }

    #closed(code: number, reason: string): void {
      for (const stop of this.#stop.splice(0)) stop();
      this.#shared?.close();
      this.readyState = 3;
      queueMicrotask(() => this.onclose?.({ code, reason }));
    }
  };
}
