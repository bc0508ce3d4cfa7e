import { deriveUserId, encodeEnvelope, envelopeSigningBytes, parseDocId, type EnvelopeKind } from '@kith/core';
import { formatUuid } from '@kith/core/protocol';
import sodium from 'libsodium-wrappers';

/** A test account: Ed25519 + X25519 keys, derived user id, one device. Built with libsodium directly. */
export interface TestIdentity {
  readonly signPublic: Uint8Array;
  readonly signSecret: Uint8Array;
  readonly boxPublic: Uint8Array;
  /** KEY-1 wire form (core's `encodePublicIdentity`): signPublic ‖ boxPublic ‖ signature. */
  readonly publicIdentity: Uint8Array;
  readonly userId: string;
  readonly device: string;
  readonly deviceBytes: Uint8Array;
}

function uuidOf(b: Uint8Array): string {
  return formatUuid(b);
}

/** Deterministic from `seed` (any string). Call after `await sodium.ready`. */
export function createTestIdentity(seed: string): TestIdentity {
  const s = sodium.crypto_generichash(32, sodium.from_string(`kith-test/${seed}`), null);
  const kp = sodium.crypto_sign_seed_keypair(s);
  const box = sodium.crypto_box_seed_keypair(sodium.crypto_generichash(32, s, null));
  const d = sodium.crypto_generichash(16, sodium.from_string(`device/${seed}`), null);
  d[6] = (d[6]! & 0x0f) | 0x40;
  d[8] = (d[8]! & 0x3f) | 0x80;
  const boxSig = sodium.crypto_sign_detached(new Uint8Array([...sodium.from_string('kith/v1/boxkey\0'), ...kp.publicKey, ...box.publicKey]), kp.privateKey);
  return {
    signPublic: kp.publicKey,
    signSecret: kp.privateKey,
    boxPublic: box.publicKey,
    publicIdentity: new Uint8Array([...kp.publicKey, ...box.publicKey, ...boxSig]),
    userId: deriveUserId(kp.publicKey),
    device: uuidOf(d),
    deviceBytes: d,
  };
}

export interface TestEnvelopeInput {
  readonly doc: string;
  readonly counter: number;
  readonly body: Uint8Array;
  readonly kind?: EnvelopeKind;
  readonly epoch?: number;
  readonly nonce?: Uint8Array;
  /** A version 2 range `counter..to` (BATCH-1); absent: version 1. */
  readonly to?: number;
}

/** A validly signed envelope (ENV-4) over synthetic or real ciphertext `body`. */
export function signTestEnvelope(id: TestIdentity, input: TestEnvelopeInput): Uint8Array {
  const header = {
    version: input.to === undefined ? 1 : 2,
    kind: input.kind ?? 'update',
    doc: parseDocId(input.doc),
    epoch: input.epoch ?? 0,
    author: id.signPublic,
    device: id.deviceBytes,
    counter: input.counter,
    ...(input.to === undefined ? {} : { to: input.to }),
  } as const;
  const nonce = input.nonce ?? new Uint8Array(24).fill(input.counter % 251);
  const signature = sodium.crypto_sign_detached(envelopeSigningBytes(header, nonce, input.body), id.signSecret);
  return encodeEnvelope({ ...header, nonce, body: input.body, signature });
}
