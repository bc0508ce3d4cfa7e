import type { ConversationId, DocId } from '../ids.js';
import type { SharedDocBackend } from '../ports/shared-doc.js';
import type { ApiContext } from '../engine/api/context.js';
import { KithError } from '../errors.js';
import { MAX_SHARED_DOC_NAME, parseDocRef, sharedDocId } from '../model/doc-ids.js';
import { expectConversation, serial } from '../engine/api/context.js';
import { sharedDocsOf, type SharedDocSink } from './shared-doc-store.js';
import { mayWriteShared, type SharedDocRef } from './shared-doc-policy.js';

export interface OpenSharedDocOptions<D> {
  /** The app's CRDT library: `yjsSharedDocs` (`@kith/core/yjs`) or `automergeSharedDocs` (`@kith/core/automerge`). */
  readonly backend: SharedDocBackend<D>;
  /** Who may write (DOC-4): every member (default) or the admins only. Part of the document's id. */
  readonly writers?: 'members' | 'admins';
}

/** A conversation's shared document, open on this device (ADR 0025). */
export interface SharedDoc<D> {
  readonly id: DocId;
  readonly conversation: ConversationId;
  readonly name: string;
  /** The app's document. Edit it with its own library; a new object after `replaced`. */
  readonly doc: D;
  /** Whether my edits count now (DOC-4); edits made while not are neither stored nor sent. */
  canWrite(): boolean;
  /** The document was rebuilt without changes a removal cut (DOC-4): use the new object. */
  onReplaced(listener: (doc: D) => void): () => void;
  /** Resolves when every local edit so far is durable and handed to sync (DOC-7); rejects if one failed. */
  flushed(): Promise<void>;
  /**
   * Local edits not written because I may not write (DOC-4), or made on a document object that
   * holds such an edit (DOC-13: it is rebuilt, `replaced`, once I may write again).
   */
  readonly refusedEdits: number;
  /** Stops following edits; the document stays stored and subscribed. */
  close(): void;
}

export interface DocsApi {
  /**
   * Opens (creating on first use, offline too) the conversation's shared document `name`: the
   * same name, backend and `writers` give the same document on every member's device (DOC-3).
   */
  open<D>(conversation: ConversationId, name: string, options: OpenSharedDocOptions<D>): Promise<SharedDoc<D>>;
}

export function createDocsApi(ctx: ApiContext): DocsApi {
  const { core } = ctx;
  return {
    open: <D>(conversation: ConversationId, name: string, options: OpenSharedDocOptions<D>) =>
      serial(ctx, () => {
        const conv = expectConversation(ctx, conversation);
        const { backend } = options;
        if (typeof backend?.create !== 'function' || typeof backend.apply !== 'function' || typeof backend.onLocal !== 'function') throw new KithError('invalid_argument', 'backend must be a shared-document backend');
        const writers = options.writers ?? 'members';
        if (writers !== 'members' && writers !== 'admins') throw new KithError('invalid_argument', 'writers must be members or admins');
        if (typeof name !== 'string' || name.length === 0 || new TextEncoder().encode(name).length > MAX_SHARED_DOC_NAME) {
          throw new KithError('invalid_argument', `a shared document name is 1-${MAX_SHARED_DOC_NAME} UTF-8 bytes`);
        }
        const id = sharedDocId(conv.id, name, { writers, backend: backend.name });
        const ref = parseDocRef(id) as SharedDocRef;
        return openHandle(ctx, id, ref, name, backend);
      }),
  };

  function openHandle<D>(ctx: ApiContext, id: DocId, ref: SharedDocRef, name: string, backend: SharedDocBackend<D>): SharedDoc<D> {
    const store = sharedDocsOf(core);
    let doc = backend.create();
    let refused = 0;
    let pending: Promise<void> = Promise.resolve();
    let failure: unknown = null;
    let closed = false;
    const replacedListeners = new Set<(doc: D) => void>();
    // DOC-13: the document object holds an edit that was refused. Every later edit of it builds on
    // bytes no other replica (nor this one, reopened) has: on Yjs it would wait behind them for
    // good, on Automerge name them as a dependency. So those are refused too, and once I may write
    // again the document is rebuilt from the allowed changes (`replaced`), then edits count again.
    let tainted = false;
    let rebuilding = false;
    const rebuildIfWriter = (): void => {
      if (!tainted || rebuilding || closed || !mayWriteShared(core, ref)) return;
      rebuilding = true;
      pending = pending
        .then(() => serial(ctx, () => void (closed ? undefined : sink.replace(store.allowed(id)))))
        .then(
          () => undefined,
          (error: unknown) => void (failure ??= error),
        )
        .finally(() => void (rebuilding = false));
    };
    const onEdit = (payload: Uint8Array): void => {
      if (closed) return;
      if (tainted || !mayWriteShared(core, ref)) {
        refused++;
        tainted = true;
        rebuildIfWriter();
        return;
      }
      const bytes = payload.slice();
      pending = pending
        .then(() => serial(ctx, () => store.write(id, ref, bytes, sink)))
        .then(
          () => undefined,
          (error: unknown) => void (failure ??= error),
        );
    };
    let stopLocal = backend.onLocal(doc, onEdit);
    const sink: SharedDocSink = {
      apply: (payload) => backend.apply(doc, payload),
      replace(payloads) {
        stopLocal();
        backend.destroy?.(doc);
        doc = backend.create();
        for (const p of payloads) if (!backend.apply(doc, p)) core.stats.rejected++;
        stopLocal = backend.onLocal(doc, onEdit);
        tainted = false;
        for (const l of replacedListeners) {
          try {
            l(doc);
          } catch {
            core.stats.listenerErrors++;
          }
        }
      },
      membershipChanged: rebuildIfWriter,
    };
    const detach = store.attach(id, ref, sink);
    return {
      id,
      conversation: ref.conversation,
      name,
      get doc() {
        return doc;
      },
      canWrite: () => mayWriteShared(core, ref),
      onReplaced(listener) {
        replacedListeners.add(listener);
        return () => void replacedListeners.delete(listener);
      },
      async flushed() {
        await pending;
        if (failure !== null) throw failure instanceof Error ? failure : new KithError('storage_failed', 'a local edit could not be stored', { cause: failure });
      },
      get refusedEdits() {
        return refused;
      },
      close() {
        closed = true;
        stopLocal();
        detach();
      },
    };
  }
}
