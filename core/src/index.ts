// @kith/core — the public API. A reviewed list of named exports; see docs/api.md.
export { KithError, isKithError, ERROR_CODES, ok, fail } from './errors.js';
export type { ErrorCode, Result } from './errors.js';
export {
  parseUserId,
  parseDeviceId,
  parseConversationId,
  parseMessageId,
  parseCallId,
  parseAttachmentId,
  parseBlobId,
  parseDocId,
  deriveUserId,
  directConversationId,
  uuidV7Time,
} from './ids.js';
export type { UserId, DeviceId, ConversationId, MessageId, CallId, AttachmentId, BlobId, DocId } from './ids.js';
export type { Clock } from './ports/clock.js';
export { createSystemClock } from './platform/system-clock.js';
export type { SystemClockOptions } from './platform/system-clock.js';
export { createCryptoRandom } from './platform/crypto-random.js';
export type { Random } from './ports/random.js';
export type {
  Json,
  CrdtBackend,
  CrdtBackendName,
  CrdtDocument,
  CrdtDocumentOptions,
  CrdtEvent,
  CrdtMutation,
  CrdtTouched,
} from './ports/crdt.js';
export {
  ENVELOPE_VERSION,
  ENVELOPE_RANGE_VERSION,
  ENVELOPE_KINDS,
  MAX_BODY_BYTES,
  MAX_RANGE_CHANGES,
  encodeEnvelope,
  decodeEnvelope,
  encodeEnvelopeHeader,
  envelopeLastCounter,
  envelopeSigningBytes,
} from './protocol/envelope.js';
export { encodeChangeList, decodeChangeList } from './protocol/change-list.js';
export type { Envelope, EnvelopeHeader, EnvelopeKind } from './protocol/envelope.js';
export type { Storage, StorageWrite, StoredDoc, StoredValue } from './ports/storage.js';
export { createMemoryStorage, createMemoryDatabase, isStoredValue } from './storage/index.js';
export type { MemoryDatabase, MemoryStorageOptions } from './storage/index.js';
export type { DocChange } from './protocol/doc-change.js';
export {
  createMembershipLog,
  encodeMemberOp,
  decodeMemberOp,
  memberOpHash,
  groupConversationId,
  MEMBERSHIP_LIMITS,
  ROLES,
  isAdminOp,
} from './model/membership/index.js';
export type {
  Role,
  MemberOp,
  MemberOpBody,
  MemberOpType,
  MembershipLog,
  MembershipLogOptions,
  MembershipState,
  MemberInfo,
  ReceiveStatus as MembershipReceiveStatus,
} from './model/membership/index.js';
export {
  SecretKey,
  createIdentity,
  createDeviceId,
  encodePublicIdentity,
  decodePublicIdentity,
  verifyPublicIdentity,
  safetyNumber,
  fingerprint,
  createKeyDirectory,
  normalizeUsername,
  createCounterTracker,
  createMembershipAuthorizer,
  sealChange,
  sealChangeWithKeyring,
  sealChanges,
  sealChangesWithKeyring,
  openEnvelope,
  openEnvelopeUncommitted,
  verifyEnvelope,
  MAX_EPOCH,
  createKeyring,
  keyScopeOf,
  sealKeyEnvelope,
  openKeyEnvelope,
  applyKeyEnvelope,
  keysDocId,
  planEpoch,
  checkSendable,
  DEFAULT_ROTATION_POLICY,
  sealBackup,
  openBackup,
  peekBackupVersion,
  sealBackupEnvelope,
  openBackupEnvelope,
  INTERACTIVE_LIMITS,
  selfCheckArgon2id,
  createSodiumCrypto,
} from './crypto/index.js';
export type {
  Identity,
  PublicIdentity,
  KeyDirectory,
  KnownContact,
  CounterTracker,
  CounterSnapshot,
  Authorize,
  ChangeClaim,
  MembershipView,
  OpenedChange,
  UncommittedChange,
  Keyring,
  KeyringSnapshot,
  EpochKeyInfo,
  KeyDistribution,
  OpenedKeyEnvelope,
  EpochPlan,
  RotationPolicy,
  OpenedBackup,
  BackupLimits,
} from './crypto/index.js';
export type { CryptoPort, KeyPair } from './ports/crypto.js';
// Device-local key wrapping (ADR 0012, LOC-*): secrets at rest are wrapped by a SecretVault.
export type { SecretVault } from './ports/vault.js';
export { createMemoryVault, createWebCryptoVault, createIndexedDbKeyStore, createMemoryVaultKeyStore } from './vault/index.js';
export type { WebCryptoVaultOptions, IndexedDbKeyStoreOptions, VaultKeyStore } from './vault/index.js';
// Not ./sandbox/index.js: it also exports the Node worker host (node:worker_threads), which
// must stay out of browser bundles (see the ./node entry point).
export { createDecodeSandbox } from './sandbox/decode-sandbox.js';
export type { DecodeSandbox, QuarantineEntry, SandboxStats } from './sandbox/decode-sandbox.js';
export { createWebWorkerHost } from './sandbox/web/web-worker-host.js';
export type { SandboxHost, UpdateScope, UpdateFormat } from './sandbox/sandbox-protocol.js';
export { createKith } from './kith.js';
export type { Kith, KithOptions } from './kith.js';
export type { QuarantinedChange } from './engine/quarantine.js';
export type {
  KithEvents,
  KithEventName,
  KithListener,
  ReceiveStatus,
  EngineStats,
  Reaction,
  DeviceWatermark,
  MessagesApi,
  SendOptions,
  PageOptions,
  ReceiptsApi,
  CallsApi,
  ContactsApi,
  ConversationsApi,
  GroupsApi,
  GroupInfo,
  GroupMember,
  CreateGroupOptions,
  ProfileApi,
} from './engine/index.js';
export type { DocsApi, OpenSharedDocOptions, SharedDoc } from './docs/docs-api.js';
export { createDocAwareness } from './docs/doc-awareness.js';
export type { AwarenessEvent, DocAwareness } from './docs/doc-awareness.js';
export type { SharedDocBackend } from './ports/shared-doc.js';
export type {
  Message,
  Attachment,
  Watermark,
  ReceiptStatus,
  Call,
  CallKind,
  CallStatus,
  CallParticipant,
  ParticipantState,
  ScreenShare,
  Contact,
  ContactStatus,
  ContactStance,
  RequestState,
  Profile,
  ProfilePatch,
  ProfileSource,
  Conversation,
  ConversationKind,
  ConversationState,
  DocRef,
} from './model/index.js';
export {
  MAX_TEXT_BYTES,
  MAX_ATTACHMENTS,
  parseDocRef,
  feedDocId,
  sharedDocId,
  membersDocId,
  profileDocId,
  accountDocId,
  contactDocId,
} from './model/index.js';
// The backends have their own entries, so an app ships only the one it uses (PKG-1):
// @kith/core/yjs, @kith/core/automerge, and @kith/core/backends (both, picked by name).
export { DEFAULT_CRDT_BACKEND } from './crdt/default-backend.js';
export {
  createProjection,
  openProjectionDb,
  PROJECTION_SCHEMA_VERSION,
  PROJECTION_SCHEMA_VERSIONS,
  conversationPage,
  conversationHistory,
  chatList,
  groupMembers,
  messageReceipts,
  messageReactions,
  contactList,
  callHistory,
  searchMessages,
  searchChats,
} from './projection/index.js';
export type {
  Projection,
  ProjectionOptions,
  ProjectionStats,
  ProjectionDb,
  ProjectionDbOptions,
  ProjectionSchemaVersion,
  PageQuery,
  PageRow,
  HistoryRow,
  ChatListQuery,
  ChatListRow,
  GroupMemberRow,
  MessageReceiptRow,
  MessageReactionRow,
  ContactListRow,
  CallHistoryRow,
  UsersRow,
  ContactsRow,
  ContactRequestsRow,
  DeviceReceiptsRow,
  ConversationsRow,
  ParticipantsRow,
  ConversationStatesRow,
  MessagesRow,
  AttachmentsRow,
  ReactionsRow,
  ReceiptsRow,
  CallsRow,
  CallParticipantsRow,
  ScreenSharesRow,
  MetaRow,
  Shelf,
  SearchIndexRow,
  MessageSearchQuery,
  MessageSearchRow,
  MessageSearchPage,
} from './projection/index.js';
export {
  createSyncClient,
  inboxDocId,
  sealAttachment,
  openAttachment,
  encryptAttachment,
  decryptAttachment,
  attachmentKey,
  ATTACHMENT_CHUNK,
  vetWithSandbox,
} from './sync/index.js';
export type {
  SyncClient,
  SyncClientOptions,
  SyncState,
  SyncStats,
  UndeliverableChange,
  SignalEvent,
  PresenceState,
  SignalKind,
  AttachmentInput,
} from './sync/index.js';
export { registerAccount } from './sync/relay-http.js';
export { createWebSocketTransport, createMemoryTransport } from './transport/index.js';
export type {
  WebSocketLike,
  WebSocketConstructor,
  WebSocketTransportOptions,
  MemoryTransport,
  MemoryTransportOptions,
  InProcessSocket,
  InProcessConnection,
} from './transport/index.js';
export type { Transport, TransportHandlers, TransportConnection, RelayFetch } from './ports/transport.js';
export type { EngineLink, MembershipLogReader } from './ports/engine-link.js';
export { signUp, logIn, saveIdentity, loadIdentity } from './account/index.js';
export type { AccountOptions } from './account/index.js';
export { registerSigningBytes, authSigningBytes, capabilitySigningBytes, capabilityScopeOf } from './protocol/relay-signing.js';
export type { CapabilityGrant } from './protocol/relay-signing.js';
