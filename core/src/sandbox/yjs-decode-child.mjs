// The decode sandbox's entry for a Node child process (node/node-process-host.ts forks it with
// an IPC channel and `serialization: 'advanced'`, so Uint8Array arrives as Uint8Array). The
// decoder is yjs-decoder.mjs, shared with the worker entry. A hostile update that exhausts this
// process's heap aborts this process only; the parent sees the exit and quarantines the update.
// Plain JavaScript on purpose: the child must load without the TypeScript toolchain.
import { createYjsDecoder } from './yjs-decoder.mjs';

if (typeof process.send !== 'function') {
  process.stderr.write('yjs-decode-child.mjs: start me with child_process.fork (no IPC channel)\n');
  process.exit(2);
}

const decoder = createYjsDecoder();
process.on('message', (m) => process.send(decoder.handle(m)));
// The parent is gone (exited, crashed or closed the channel): nothing is left to decode for.
process.on('disconnect', () => process.exit(0));
process.send({ id: 0, ready: true });
