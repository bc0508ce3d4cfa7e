// The live relational projection (ADR 0008): Dexie tables mirroring docs/schema.sql, kept up
// to date from the engine's events, with typed queries for each named query of schema.sql.
export { createProjection } from './create-projection.js';
export type { Projection, ProjectionOptions, ProjectionStats } from './create-projection.js';
export { openProjectionDb, PROJECTION_SCHEMA_VERSION, PROJECTION_SCHEMA_VERSIONS } from './projection-schema.js';
export type { ProjectionDb, ProjectionDbOptions, ProjectionSchemaVersion } from './projection-schema.js';
export type {
  AttachmentsRow,
  CallParticipantsRow,
  CallsRow,
  ContactRequestsRow,
  ContactsRow,
  ConversationStatesRow,
  ConversationsRow,
  DeviceReceiptsRow,
  MessagesRow,
  MetaRow,
  ParticipantsRow,
  ReactionsRow,
  ReceiptsRow,
  ScreenSharesRow,
  SearchIndexRow,
  Shelf,
  UsersRow,
} from './projection-rows.js';
export { conversationPage } from './queries/conversation-page.js';
export type { PageQuery, PageRow } from './queries/conversation-page.js';
export { conversationHistory } from './queries/conversation-history.js';
export type { HistoryRow } from './queries/conversation-history.js';
export { chatList } from './queries/chat-list.js';
export type { ChatListQuery, ChatListRow } from './queries/chat-list.js';
export { groupMembers } from './queries/group-members.js';
export type { GroupMemberRow } from './queries/group-members.js';
export { messageReceipts } from './queries/message-receipts.js';
export type { MessageReceiptRow } from './queries/message-receipts.js';
export { messageReactions } from './queries/message-reactions.js';
export type { MessageReactionRow } from './queries/message-reactions.js';
export { contactList } from './queries/contact-list.js';
export type { ContactListRow } from './queries/contact-list.js';
export { callHistory } from './queries/call-history.js';
export type { CallHistoryRow } from './queries/call-history.js';
export { searchMessages } from './queries/message-search.js';
export type { MessageSearchPage, MessageSearchQuery, MessageSearchRow } from './queries/message-search.js';
export { searchChats } from './queries/chat-search.js';
