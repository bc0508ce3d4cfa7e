// End-to-end encryption: identities, envelopes, key epochs, backup (docs/PROTOCOL.md, ADR 0006).
export { SecretKey, bytesEqual } from './secret-key.js';
export {
  createIdentity,
  createDeviceId,
  deviceIdToBytes,
  deviceIdFromBytes,
  encodePublicIdentity,
  decodePublicIdentity,
  verifyPublicIdentity,
  fingerprint,
  safetyNumber,
  KEY_BUNDLE_BYTES,
} from './identity.js';
export type { Identity, PublicIdentity } from './identity.js';
export { createKeyDirectory, normalizeUsername } from './key-directory.js';
export type { KeyDirectory, KnownContact, KeyObservation } from './key-directory.js';
export { createCounterTracker } from './counter-tracker.js';
export type { CounterTracker, CounterTrackerOptions, CounterSnapshot } from './counter-tracker.js';
export { createMembershipAuthorizer } from './authorize.js';
export type { Authorize, ChangeClaim, MembershipView } from './authorize.js';
export { sealChange, sealChangeWithKeyring, sealChanges, sealChangesWithKeyring, signEnvelope, changeEnvelopeKind } from './envelope-seal.js';
export type { ChangeEnvelopeKind } from './envelope-seal.js';
export { openEnvelope, openEnvelopeUncommitted, verifyEnvelope, counterStream } from './envelope-open.js';
export type { OpenContext, OpenedChange, UncommittedChange } from './envelope-open.js';
export { createKeyring, keyScopeOf, isRosterDoc, deriveSubkey, epochKeyHash, MAX_CANDIDATES, MAX_EPOCH } from './keyring.js';
export type { Keyring, EpochKeyInfo, KeyringSnapshot } from './keyring.js';
export { sealKeyEnvelope, openKeyEnvelope, applyKeyEnvelope, keysDocId, MAX_RECIPIENTS } from './key-envelope.js';
export type { KeyDistribution, KeyGrant, OpenedKeyEnvelope } from './key-envelope.js';
export { planEpoch, checkSendable, DEFAULT_ROTATION_POLICY } from './epoch-planner.js';
export type { EpochPlan, EpochPlanInput, RotationPolicy } from './epoch-planner.js';
export {
  sealBackup,
  openBackup,
  peekBackupVersion,
  sealBackupEnvelope,
  openBackupEnvelope,
  INTERACTIVE_LIMITS,
  BACKUP_FORMAT,
} from './backup.js';
export type { BackupLimits, SealBackupInput, OpenedBackup } from './backup.js';
export { selfCheckArgon2id, ARGON2ID_KAT } from './argon2-self-check.js';
export { createSodiumCrypto } from './sodium/sodium-crypto.js';
