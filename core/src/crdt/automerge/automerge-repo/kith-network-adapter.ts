import * as A from '@automerge/automerge';
import { cbor, NetworkAdapter, type DocumentId, type Message, type PeerId, type PeerMetadata } from '@automerge/automerge-repo';
import type { ConversationId } from '../../../ids.js';
import type { DocsApi, SharedDoc } from '../../../docs/docs-api.js';
import type { DocAwareness } from '../../../docs/doc-awareness.js';
import type { EngineLink } from '../../../ports/engine-link.js';
import type { SyncClient } from '../../../sync/sync-types.js';
import { createDocAwareness } from '../../../docs/doc-awareness.js';
import { automergeSharedDocs, type AutomergeDocHandle } from '../automerge-shared-doc.js';

/** What the adapter needs: a signed-in engine and its sync client, and the conversation the documents are shared with. */
export interface KithNetworkAdapterOptions {
  readonly kith: { readonly docs: DocsApi; readonly device: string } & Pick<EngineLink, 'audience'>;
  readonly sync: Pick<SyncClient, 'signal' | 'onSignal'>;
  readonly conversation: ConversationId;
  /** DOC-4: who may write the repo's documents (default every member). Part of each document's id. */
  readonly writers?: 'members' | 'admins';
}

/** DOC-9: the Kith shared document (ADR 0025) an automerge-repo document is mapped onto. */
export function sharedDocNameOf(documentId: string): string {
  return `automerge-repo/${documentId}`;
}

/** Longest automerge-repo document id accepted (theirs are ~28 base58 characters). */
const MAX_DOCUMENT_ID = 96;

type Handle = AutomergeDocHandle<Record<string, unknown>>;

/** One repo document the virtual server serves: its Kith shared document and the sync state with the repo. */
interface Served {
  readonly documentId: DocumentId;
  shared: SharedDoc<Handle> | undefined;
  awareness: DocAwareness | undefined;
  syncState: A.SyncState;
  /** Messages for this document, in order, after the shared document is open. */
  queue: Promise<void>;
  readonly stop: Array<() => void>;
}

let instances = 0;

function isCbor(bytes: Uint8Array): boolean {
  try {
    cbor.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * An automerge-repo `NetworkAdapter` that makes a `Repo` sync its documents end-to-end encrypted
 * through the Kith relay (ADR 0026): `new Repo({ network: [new KithNetworkAdapter({ kith, sync,
 * conversation })] })`. Nothing the repo sends leaves the device as is: the adapter presents one
 * peer, a virtual sync server that runs in process, and serves each repo document from the
 * conversation's Kith shared document `automerge-repo/<documentId>` (DOC-9) — which Kith stores,
 * seals under the conversation's keys, syncs through the relay (offline first) and judges by the
 * writers rule (DOC-4). Automerge sync messages only ever travel between the repo and this server;
 * ephemeral messages (presence) travel as DOC-6 awareness signals.
 */
export class KithNetworkAdapter extends NetworkAdapter {
  readonly #options: KithNetworkAdapterOptions;
  readonly #server: PeerId;
  readonly #session: string;
  #repo: PeerId | undefined;
  #count = 0;
  readonly #docs = new Map<DocumentId, Served>();
  #ready = false;
  #whenReady: Promise<void>;
  #markReady: () => void = () => undefined;

  constructor(options: KithNetworkAdapterOptions) {
    super();
    this.#options = options;
    this.#server = `kith:${options.conversation}` as PeerId;
    this.#session = `${options.kith.device}/${++instances}`;
    this.#whenReady = new Promise((resolve) => (this.#markReady = resolve));
  }

  /** The peer id of the in-process server the repo talks to. */
  get serverPeerId(): PeerId {
    return this.#server;
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return this.#whenReady;
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    if (peerMetadata !== undefined) this.peerMetadata = peerMetadata;
    this.#repo = peerId;
    this.#ready = true;
    this.#markReady();
    // The server keeps no sync state across sessions (the repo need not store one for it).
    queueMicrotask(() => {
      if (this.#repo === peerId) this.emit('peer-candidate', { peerId: this.#server, peerMetadata: { isEphemeral: true } });
    });
  }

  send(message: Message): void {
    if (this.#repo === undefined || message.targetId !== this.#server) return;
    const { documentId, data } = message;
    if (typeof documentId !== 'string' || documentId.length === 0 || documentId.length > MAX_DOCUMENT_ID) return;
    if (!(data instanceof Uint8Array)) return;
    switch (message.type) {
      case 'sync':
      case 'request':
        this.#enqueue(documentId, (s) => this.#receiveSync(s, data));
        return;
      case 'ephemeral':
        // Only the repo's own; one it forwards on from another peer is not ours to gossip.
        if (message.senderId === this.#repo) this.#enqueue(documentId, (s) => void s.awareness?.send(data));
        return;
      default:
        return; // doc-unavailable, remote heads: a server that never requests has nothing to do
    }
  }

  disconnect(): void {
    for (const s of this.#docs.values()) this.#close(s);
    this.#docs.clear();
    const wasConnected = this.#repo !== undefined;
    this.#repo = undefined;
    this.#ready = false;
    this.#whenReady = new Promise((resolve) => (this.#markReady = resolve));
    if (wasConnected) this.emit('peer-disconnected', { peerId: this.#server });
  }

  #enqueue(documentId: DocumentId, step: (s: Served) => void): void {
    const s = this.#served(documentId);
    s.queue = s.queue.then(() => {
      if (s.shared !== undefined && this.#docs.get(documentId) === s) step(s);
    });
  }

  #served(documentId: DocumentId): Served {
    let s = this.#docs.get(documentId);
    if (s !== undefined) return s;
    const { kith, conversation, writers = 'members' } = this.#options;
    const served: Served = { documentId, shared: undefined, awareness: undefined, syncState: A.initSyncState(), queue: Promise.resolve(), stop: [] };
    served.queue = kith.docs.open(conversation, sharedDocNameOf(documentId), { backend: automergeSharedDocs, writers }).then(
      (shared) => {
        if (this.#docs.get(documentId) !== served) return shared.close();
        this.#attach(served, shared);
      },
      () => {
        if (this.#docs.get(documentId) !== served) return;
        this.#docs.delete(documentId);
        this.#deliver({ type: 'doc-unavailable', documentId });
      },
    );
    this.#docs.set(documentId, (s = served));
    return s;
  }

  #attach(s: Served, shared: SharedDoc<Handle>): void {
    s.shared = shared;
    let stopChanges = shared.doc.onChange((_doc, origin) => {
      if (origin === 'remote') this.#pushSync(s);
    });
    s.stop.push(() => stopChanges());
    // A removal rebuilt the document (DOC-4): sync the repo again from the rebuilt one.
    s.stop.push(
      shared.onReplaced((doc) => {
        stopChanges();
        stopChanges = doc.onChange((_d, origin) => {
          if (origin === 'remote') this.#pushSync(s);
        });
        s.syncState = A.initSyncState();
        this.#pushSync(s);
      }),
    );
    const { kith, sync } = this.#options;
    const awareness = createDocAwareness({ engine: { audience: kith.audience, device: kith.device }, sync, doc: shared.id });
    s.awareness = awareness;
    s.stop.push(
      awareness.on((e) => {
        // Only well-formed CBOR is handed over (DOC-10): the repo decodes every ephemeral payload
        // and would throw (and log an error) on a member's junk.
        if (this.#repo === undefined || !isCbor(e.payload)) return;
        this.#deliver({ type: 'ephemeral', documentId: s.documentId, data: e.payload, count: ++this.#count, sessionId: this.#session });
      }),
    );
    s.stop.push(() => awareness.close());
  }

  #receiveSync(s: Served, data: Uint8Array): void {
    const handle = s.shared!.doc;
    try {
      // The repo's changes become local edits of the shared document: Kith stores and sends them.
      handle.update((doc) => {
        const [next, state] = A.receiveSyncMessage(doc, s.syncState, data);
        s.syncState = state;
        return next;
      });
    } catch {
      return; // a sync message Automerge refuses: dropped, the document is unchanged
    }
    this.#pushSync(s);
  }

  #pushSync(s: Served): void {
    if (s.shared === undefined || this.#repo === undefined) return;
    const [state, message] = A.generateSyncMessage(s.shared.doc.doc(), s.syncState);
    s.syncState = state;
    if (message !== null) this.#deliver({ type: 'sync', documentId: s.documentId, data: message });
  }

  /** Hands a message from the server to the repo, on a microtask (never inside the repo's own `send`). */
  #deliver(message: { type: string; documentId: DocumentId; data?: Uint8Array; count?: number; sessionId?: string }): void {
    const repo = this.#repo;
    if (repo === undefined) return;
    queueMicrotask(() => {
      if (this.#repo !== repo) return;
      try {
        this.emit('message', { ...message, senderId: this.#server, targetId: repo });
      } catch {
        // The repo threw synchronously on what we handed it: the message is dropped, the adapter carries on.
      }
    });
  }

  #close(s: Served): void {
    for (const stop of s.stop.splice(0)) stop();
    s.shared?.close();
  }
}
