import { fork, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SandboxHost, SandboxRequest, SandboxResponse, SandboxWorker } from '../sandbox-protocol.js';

export interface NodeProcessHostOptions {
  /** Old-generation heap limit of each child in MiB (`--max-old-space-size`, default 256). */
  readonly maxHeapMb?: number;
  /** The child's stderr: `ignore` (default; a crash is reported through `onExit`) or `inherit` to debug. */
  readonly stderr?: 'ignore' | 'inherit';
  /** The child entry script (default: ../yjs-decode-child.mjs). Tests substitute a misbehaving one. */
  readonly entry?: URL;
}

/** True for the shape of a SandboxResponse; anything else from the child is dropped. */
function isResponse(m: unknown): m is SandboxResponse {
  return typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'number';
}

/**
 * The recommended sandbox host on Node: each worker is a child process (`child_process.fork` of
 * yjs-decode-child.mjs) with its own V8 heap, so a hostile update that drives V8 into a fatal
 * out-of-memory abort kills the child, never this process (ADR 0010). The child gets an empty
 * environment (no secrets, no NODE_OPTIONS), no stdin/stdout, and is unref'd (its IPC channel too
 * while idle) so it never keeps the parent alive; it exits when the channel closes, so it never
 * outlives the parent. `terminate` sends SIGKILL. `onExit` fires once for an exit, a signal, a
 * closed channel or a spawn/IPC error (not after `terminate`).
 */
export function createNodeProcessHost(options: NodeProcessHostOptions = {}): SandboxHost {
  const entry = fileURLToPath(options.entry ?? new URL('../yjs-decode-child.mjs', import.meta.url));
  const maxHeapMb = options.maxHeapMb ?? 256;
  return {
    spawn(): SandboxWorker {
      let exited = false;
      const exitListeners: Array<(reason: string) => void> = [];
      const messageListeners: Array<(response: SandboxResponse) => void> = [];
      const exit = (reason: string): void => {
        if (exited) return;
        exited = true;
        for (const l of exitListeners) l(reason);
      };
      let child: ChildProcess;
      try {
        child = fork(entry, [], {
          execArgv: [`--max-old-space-size=${maxHeapMb}`],
          env: {},
          // a crash dump (where core dumps are enabled) lands in the temp dir, not the app's folder
          cwd: tmpdir(),
          serialization: 'advanced',
          stdio: ['ignore', 'ignore', options.stderr ?? 'ignore', 'ipc'],
        });
      } catch (e) {
        // fork throws synchronously only for bad arguments; report it as an exit on the next tick
        const reason = e instanceof Error ? e.name : 'spawn_failed';
        queueMicrotask(() => exit(reason));
        return { post: () => undefined, onMessage: () => undefined, onExit: (l) => exitListeners.push(l), terminate: () => undefined };
      }
      // An idle child never keeps the parent alive; while the ready message or an answer is
      // awaited, the IPC channel does (a script that only awaits a check must not exit under it;
      // the sandbox's startup and decode budgets bound the wait).
      let pending = 1;
      const channel = child.channel;
      child.unref();
      child.on('message', (m: unknown) => {
        if (exited || !isResponse(m)) return;
        if (pending > 0 && --pending === 0) channel?.unref();
        for (const l of messageListeners) l(m);
      });
      const kill = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      child.on('error', (e) => {
        exit(e.name);
        kill();
      });
      // A closed channel makes the child useless: make sure it is dead; 'exit' then reports why
      // (e.g. `signal SIGABRT` for a V8 out-of-memory abort, which closes the channel first).
      child.on('disconnect', kill);
      child.on('exit', (code, signal) => exit(signal !== null ? `signal ${signal}` : `exit ${code ?? '?'}`));
      return {
        post: (request: SandboxRequest) => {
          if (exited || !child.connected) return;
          if (pending++ === 0) channel?.ref();
          child.send(request, (e) => {
            if (e) {
              exit('ipc_error');
              kill();
            }
          });
        },
        onMessage: (listener) => messageListeners.push(listener),
        onExit: (listener) => exitListeners.push(listener),
        terminate: () => {
          exited = true;
          channel?.unref();
          kill();
        },
      };
    },
  };
}
