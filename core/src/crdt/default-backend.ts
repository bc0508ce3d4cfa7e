import type { CrdtBackendName } from '../ports/crdt.js';

/** The backend Kith runs on unless told otherwise (docs/adr/0002-default-crdt-backend.md). */
export const DEFAULT_CRDT_BACKEND: CrdtBackendName = 'yjs';
