import { runCrdtBackendConformance } from '../../testing/crdt-conformance.js';
import { createYjsBackend } from './yjs-backend.js';

runCrdtBackendConformance('yjs', createYjsBackend());
