import { KithError } from '../errors.js';
import type { DocChange } from '../protocol/doc-change.js';
import { encodeChangeList } from '../protocol/change-list.js';
import { ENVELOPE_RANGE_VERSION, MAX_RANGE_CHANGES, encodeEnvelope, encodeEnvelopeHeader, envelopeSigningBytes, type EnvelopeHeader, type EnvelopeKind } from '../protocol/envelope.js';
import type { CryptoPort } from '../ports/crypto.js';
import { deviceIdToBytes, type Identity } from './identity.js';
import { deriveSubkey, isRosterDoc, keyScopeOf, type Keyring } from './keyring.js';
import type { SecretKey } from './secret-key.js';

/** Envelope kinds that carry a `DocChange` (the others have their own sealers). */
export type ChangeEnvelopeKind = Extract<EnvelopeKind, 'update' | 'snapshot' | 'member'>;

export function changeEnvelopeKind(change: DocChange, snapshot = false): ChangeEnvelopeKind {
  if (change.kind === 'member') {
    if (!isRosterDoc(change.doc)) throw new KithError('invalid_argument', 'member changes belong to a members: document');
    return 'member';
  }
  return snapshot || change.kind === 'snapshot' ? 'snapshot' : 'update';
}

/** Signs a header, nonce and body with the identity (ENV-4) and encodes the envelope. */
export function signEnvelope(identity: Identity, header: EnvelopeHeader, nonce: Uint8Array, body: Uint8Array): Uint8Array {
  const signature = identity.sign(envelopeSigningBytes(header, nonce, body));
  return encodeEnvelope({ ...header, nonce, body, signature });
}

/**
 * Seals a change (ENV-3/4): XChaCha20-Poly1305 under the epoch key's subkey for the document
 * (roster key for `members:`, content key otherwise), the header as associated data, a fresh
 * random nonce, signed by the author. `epochKey` is the full epoch key K_e.
 */
export function sealChange(
  crypto: CryptoPort,
  change: DocChange,
  epoch: number,
  epochKey: SecretKey,
  identity: Identity,
  options: { snapshot?: boolean } = {},
): Uint8Array {
  if (change.author !== identity.userId) throw new KithError('not_the_author', 'a change is sealed by its own author');
  if (change.device !== identity.device) throw new KithError('invalid_argument', 'change device is not this device');
  const header: EnvelopeHeader = {
    version: 1,
    kind: changeEnvelopeKind(change, options.snapshot ?? false),
    doc: change.doc,
    epoch,
    author: identity.public.signingKey,
    device: deviceIdToBytes(change.device),
    counter: change.counter,
  };
  const key = deriveSubkey(crypto, epochKey, isRosterDoc(change.doc) ? 'roster' : 'content');
  const nonce = crypto.randomBytes(24);
  const body = crypto.aeadEncrypt(change.payload, encodeEnvelopeHeader(header), nonce, key);
  key.fill(0);
  return signEnvelope(identity, header, nonce, body);
}

/**
 * BATCH-1: seals consecutive changes of one (doc, author, device) stream as ONE envelope — one
 * AEAD over their change list, one signature. A single change is sealed as version 1 (exactly
 * `sealChange`); two or more as a version 2 range `counter..to`. Only `update` changes are
 * batched (a membership op stays a range of one, BATCH-4).
 */
export function sealChanges(
  crypto: CryptoPort,
  changes: readonly DocChange[],
  epoch: number,
  epochKey: SecretKey,
  identity: Identity,
): Uint8Array {
  const first = changes[0];
  if (first === undefined) throw new KithError('invalid_argument', 'nothing to seal');
  if (changes.length === 1) return sealChange(crypto, first, epoch, epochKey, identity);
  if (changes.length > MAX_RANGE_CHANGES) throw new KithError('too_large', 'too many changes for one range');
  changes.forEach((c, i) => {
    if (c.kind !== 'update') throw new KithError('invalid_argument', 'only update changes are batched');
    if (c.doc !== first.doc || c.device !== first.device || c.counter !== first.counter + i) {
      throw new KithError('invalid_argument', 'a range is consecutive counters of one stream');
    }
    if (c.author !== identity.userId) throw new KithError('not_the_author', 'a change is sealed by its own author');
  });
  if (first.device !== identity.device) throw new KithError('invalid_argument', 'change device is not this device');
  const header: EnvelopeHeader = {
    version: ENVELOPE_RANGE_VERSION,
    kind: 'update',
    doc: first.doc,
    epoch,
    author: identity.public.signingKey,
    device: deviceIdToBytes(first.device),
    counter: first.counter,
    to: first.counter + changes.length - 1,
  };
  const key = deriveSubkey(crypto, epochKey, 'content');
  const nonce = crypto.randomBytes(24);
  const body = crypto.aeadEncrypt(encodeChangeList(changes.map((c) => c.payload)), encodeEnvelopeHeader(header), nonce, key);
  key.fill(0);
  return signEnvelope(identity, header, nonce, body);
}

/** `sealChanges` under the keyring's current canonical key of the document's scope. */
export function sealChangesWithKeyring(crypto: CryptoPort, changes: readonly DocChange[], keyring: Keyring, identity: Identity): Uint8Array {
  const first = changes[0];
  if (first === undefined) throw new KithError('invalid_argument', 'nothing to seal');
  const current = keyring.current(keyScopeOf(first.doc));
  if (current === undefined) throw new KithError('unknown_epoch', 'no epoch key for this document yet');
  return sealChanges(crypto, changes, current.info.epoch, current.key, identity);
}

/** Seals with the keyring's current canonical key of the document's scope. */
export function sealChangeWithKeyring(
  crypto: CryptoPort,
  change: DocChange,
  keyring: Keyring,
  identity: Identity,
  options: { snapshot?: boolean } = {},
): Uint8Array {
  const current = keyring.current(keyScopeOf(change.doc));
  if (current === undefined) throw new KithError('unknown_epoch', 'no epoch key for this document yet');
  return sealChange(crypto, change, current.info.epoch, current.key, identity, options);
}
