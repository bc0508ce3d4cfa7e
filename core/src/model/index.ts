// The chat domain's value types and limits (re-exported from @kith/core by the entry point).
// The membership log has its own index in ./membership/.
export type { Message } from './message.js';
export type { Attachment } from './attachment.js';
export type { Watermark, ReceiptStatus } from './receipt.js';
export type { Call, CallKind, CallStatus, CallParticipant, ParticipantState, ScreenShare } from './call.js';
export type { Contact, ContactStatus, ContactStance, RequestState } from './contact.js';
export type { Profile, ProfilePatch, ProfileSource } from './profile.js';
export type { Conversation, ConversationKind, ConversationState } from './conversation-state.js';
export type { DocRef, SharedDocMode, SharedDocRefMode } from './doc-ids.js';
export { MAX_TEXT_BYTES } from './text.js';
export { MAX_ATTACHMENTS } from './attachment.js';
export { parseDocRef, feedDocId, sharedDocId, membersDocId, profileDocId, accountDocId, contactDocId } from './doc-ids.js';
