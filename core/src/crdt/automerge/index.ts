export { createAutomergeBackend } from './automerge-backend.js';
export { automergeSharedDocs, automergeSharedDocsOf, parseAutomergeChanges } from './automerge-shared-doc.js';
export type { AutomergeChangeOrigin, AutomergeDocHandle } from './automerge-shared-doc.js';
