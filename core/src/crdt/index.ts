// The CRDT backends behind the port in ../ports/crdt.ts. Domain code picks one by name.
import { KithError } from '../errors.js';
import type { CrdtBackend, CrdtBackendName } from '../ports/crdt.js';
import { createYjsBackend } from './yjs/index.js';
import { createAutomergeBackend } from './automerge/index.js';

export { createYjsBackend, createAutomergeBackend };

/** The backend Kith runs on unless told otherwise (docs/adr/0002-default-crdt-backend.md). */
export const DEFAULT_CRDT_BACKEND: CrdtBackendName = 'yjs';

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
