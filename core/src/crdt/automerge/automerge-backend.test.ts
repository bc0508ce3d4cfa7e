import { runCrdtBackendConformance } from '../../testing/crdt-conformance.js';
import { createAutomergeBackend } from './automerge-backend.js';

runCrdtBackendConformance('automerge', createAutomergeBackend());
