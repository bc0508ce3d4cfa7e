export { createAutomergeBackend } from './automerge-backend.js';
