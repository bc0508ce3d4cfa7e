// @kith/core/backends — both CRDT backends behind the port in ../ports/crdt.ts, picked by name
// (tests, benches, config-driven hosts). It imports Automerge's wasm and Yjs: an app that knows its
// backend imports @kith/core/yjs or @kith/core/automerge instead and ships only that one (PKG-1).
import { KithError } from '../errors.js';
import type { CrdtBackend, CrdtBackendName } from '../ports/crdt.js';
import { createYjsBackend } from './yjs/index.js';
import { createAutomergeBackend } from './automerge/index.js';
import { DEFAULT_CRDT_BACKEND } from './default-backend.js';

export { createYjsBackend, createAutomergeBackend, DEFAULT_CRDT_BACKEND };

export function createCrdtBackend(name: CrdtBackendName = DEFAULT_CRDT_BACKEND): CrdtBackend {
  switch (name) {
    case 'yjs':
      return createYjsBackend();
    case 'automerge':
      return createAutomergeBackend();
    default:
      throw new KithError('invalid_argument', 'unknown CRDT backend'); // e.g. from a config file
  }
}
