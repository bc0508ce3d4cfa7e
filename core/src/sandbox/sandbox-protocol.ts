/**
 * Messages between the decode sandbox (main thread) and its worker. Plain structured-clone
 * data, so a Node `worker_threads` worker and a browser Web Worker speak the same protocol.
 */
export type UpdateFormat = 'yjs-v1' | 'yjs-v2';

export interface SandboxRequest {
  readonly id: number;
  readonly doc: string;
  readonly format: UpdateFormat;
  readonly update: Uint8Array;
  /**
   * BATCH-10: the updates that follow `update` in the same range (same document, author and
   * scope), applied after it in order: one round trip for the whole range.
   */
  readonly rest?: readonly Uint8Array[];
  /** The document's current trusted state, sent when the worker has no mirror of it yet. */
  readonly base?: Uint8Array;
  /** Drop these mirrors first (the main thread did not apply what they accepted). */
  readonly forget?: readonly string[];
  /** The author's scope in this document (SBX-5); checked on the decoded structs before applying. */
  readonly scope?: UpdateScope;
}

export interface UpdateScope {
  /** Top-level collections the update may write. */
  readonly roots: readonly string[];
  /** Only plain JSON values and deletions in top-level maps: no nested shared types, text, XML. */
  readonly flat: boolean;
}

export type SandboxResponse =
  /** Sent once when the worker has loaded (the budget of a request starts only then). */
  | { readonly id: 0; readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly roots: readonly string[] }
  /**
   * `reason` is `out_of_scope` when the update decodes but writes outside its scope. `at`: the
   * index of the refused update in `[update, ...rest]` (0 when absent); the ones before it were
   * accepted and applied, the ones after it were not looked at (BATCH-10).
   */
  | { readonly id: number; readonly ok: false; readonly reason: string; readonly at?: number };

/** One worker of the sandbox. Implementations: node/node-worker-host.ts; a Web Worker adapter fits the same shape. */
export interface SandboxWorker {
  post(request: SandboxRequest): void;
  onMessage(listener: (response: SandboxResponse) => void): void;
  /** The worker died (crashed, out of memory, exited). */
  onExit(listener: (reason: string) => void): void;
  terminate(): void;
}

export interface SandboxHost {
  /** Starts a fresh worker with empty mirrors. */
  spawn(): SandboxWorker;
}
