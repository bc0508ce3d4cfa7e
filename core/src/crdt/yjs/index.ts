export { createYjsBackend } from './yjs-backend.js';
export { yjsSharedDocs } from './yjs-shared-doc.js';
