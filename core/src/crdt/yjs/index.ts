export { createYjsBackend } from './yjs-backend.js';
