// The sync client: secure pipeline (seal/open/intros/epochs) and the relay connection.
export { createSyncClient } from './sync-client.js';
export type { SyncClient, SyncClientOptions, SyncState, SyncStats, UndeliverableChange } from './sync-client.js';
export type { SignalEvent } from './signals.js';
export type { PresenceState, SignalKind } from '../protocol/relay/frames.js';
export { inboxDocId } from '../session/intro.js';
export { sealAttachment, openAttachment, encryptAttachment, decryptAttachment, attachmentKey, ATTACHMENT_CHUNK } from './attachments.js';
export type { AttachmentInput } from './attachments.js';
export { vetWithSandbox } from './sandbox-vet.js';
