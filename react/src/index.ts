// @kith/react — React bindings for the Kith engine, built on useSyncExternalStore: each hook
// re-renders only when what it shows changed (REACT-2).
export { KithProvider, useKith, useKithContext } from './kith-provider.js';
export type { KithProviderProps, KithContextValue } from './kith-provider.js';
export type { SyncLink } from './sync-link.js';
export { useChatList } from './use-chat-list.js';
export { useConversation } from './use-conversation.js';
export type { ConversationView } from './use-conversation.js';
export { useMessages } from './use-messages.js';
export type { UseMessagesResult } from './use-messages.js';
export type { MessagesView } from './messages-store.js';
export { useMembers } from './use-members.js';
export { useProfile } from './use-profile.js';
export { useReactions } from './use-reactions.js';
export { useReceipts } from './use-receipts.js';
export type { MessageReceipts } from './use-receipts.js';
export { useTyping, useSendTyping } from './use-typing.js';
export { usePresence, useSetPresence } from './use-presence.js';
export { useSyncState } from './use-sync-state.js';
export { useCall } from './use-call.js';
export type { CallView } from './use-call.js';
