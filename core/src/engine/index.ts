// The engine's public surface (re-exported from @kith/core by the package entry point).
export type { KithEvents, KithEventName, KithListener } from './events.js';
export type { ReceiveStatus } from './inbound.js';
export type { EngineStats } from './core.js';
export type { Reaction, DeviceWatermark } from './feed-reader.js';
export type { MessagesApi, SendOptions, PageOptions } from './api/messages-api.js';
export type { ReceiptsApi } from './api/receipts-api.js';
export type { CallsApi } from './api/calls-api.js';
export type { ContactsApi } from './api/contacts-api.js';
export type { ConversationsApi } from './api/conversations-api.js';
export type { GroupsApi, GroupInfo, GroupMember, CreateGroupOptions } from './api/groups-api.js';
export type { ProfileApi } from './api/profile-api.js';
