import { fail, ok, KithError, type Result } from '../errors.js';
import { deriveUserId, formatUuid, parseDeviceId, uuidToBytes, type DeviceId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import { ByteReader, ByteWriter } from '../protocol/bytes.js';
import { SecretKey, concatBytes, utf8 } from './secret-key.js';

/**
 * An account's public identity: its Ed25519 signing key (the user id is derived from it,
 * `deriveUserId`) and its X25519 key for sealed boxes, bound by a signature of the signing key
 * (KEY-1) so the relay cannot substitute a box key it controls.
 */
export interface PublicIdentity {
  readonly userId: UserId;
  readonly signingKey: Uint8Array;
  readonly boxKey: Uint8Array;
  /** Ed25519 signature by `signingKey` over `"kith/v1/boxkey\0" ‖ signingKey ‖ boxKey`. */
  readonly boxKeySignature: Uint8Array;
}

/** The account's secrets on one device. Secrets stay inside; callers sign and open through it. */
export interface Identity {
  readonly userId: UserId;
  readonly device: DeviceId;
  readonly public: PublicIdentity;
  sign(message: Uint8Array): Uint8Array;
  openSealedBox(sealed: Uint8Array): Uint8Array | null;
  /** The 64-byte key bundle that restores this account (what the backup encrypts). */
  exportBundle(): SecretKey;
}

const BOX_KEY_PREFIX = utf8('kith/v1/boxkey\0');
export const KEY_BUNDLE_BYTES = 64;

function boxKeyMessage(signingKey: Uint8Array, boxKey: Uint8Array): Uint8Array {
  return concatBytes(BOX_KEY_PREFIX, signingKey, boxKey);
}

/** A random device id (UUIDv4 layout): one per installation, never shared between devices. */
export function createDeviceId(crypto: CryptoPort): DeviceId {
  const b = crypto.randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return parseDeviceId(formatUuid(b));
}

export function deviceIdToBytes(device: DeviceId): Uint8Array {
  return uuidToBytes(device);
}

export function deviceIdFromBytes(bytes: Uint8Array): Result<DeviceId> {
  if (bytes.length !== 16) return fail('invalid_id', 'device id must be 16 bytes');
  try {
    return ok(parseDeviceId(formatUuid(bytes)));
  } catch (e) {
    return fail('invalid_id', 'device id is not a UUID', e);
  }
}

/**
 * Creates (or, from a 64-byte key bundle, restores) an account identity on a device.
 * The bundle is the signing seed ‖ the box seed.
 */
export function createIdentity(crypto: CryptoPort, options: { device: DeviceId; bundle?: SecretKey }): Identity {
  const bundle = options.bundle ?? new SecretKey(crypto.randomBytes(KEY_BUNDLE_BYTES));
  if (bundle.length !== KEY_BUNDLE_BYTES) throw new KithError('invalid_argument', 'key bundle must be 64 bytes');
  const raw = bundle.expose();
  const signing = crypto.signKeyPair(raw.subarray(0, 32));
  const box = crypto.boxKeyPair(raw.subarray(32, 64));
  const signingSecret = new SecretKey(signing.secretKey);
  const boxSecret = new SecretKey(box.secretKey);
  const kept = new SecretKey(raw);
  const pub: PublicIdentity = {
    userId: deriveUserId(signing.publicKey),
    signingKey: signing.publicKey,
    boxKey: box.publicKey,
    boxKeySignature: crypto.sign(boxKeyMessage(signing.publicKey, box.publicKey), signing.secretKey),
  };
  return {
    userId: pub.userId,
    device: options.device,
    public: pub,
    sign: (message) => crypto.sign(message, signingSecret.expose()),
    openSealedBox: (sealed) => crypto.openSealedBox(sealed, box.publicKey, boxSecret.expose()),
    exportBundle: () => new SecretKey(kept.expose()),
  };
}

/** Wire form of a public identity: signing key ‖ box key ‖ signature (128 bytes). */
export function encodePublicIdentity(p: PublicIdentity): Uint8Array {
  return new ByteWriter(128).raw(p.signingKey).raw(p.boxKey).raw(p.boxKeySignature).finish();
}

/** Parses and verifies a public identity (KEY-1): the box key must be signed by the signing key. */
export function decodePublicIdentity(crypto: CryptoPort, bytes: Uint8Array): Result<PublicIdentity> {
  try {
    const r = new ByteReader(bytes);
    const signingKey = r.raw(32, 'signing key').slice();
    const boxKey = r.raw(32, 'box key').slice();
    const boxKeySignature = r.raw(64, 'signature').slice();
    r.expectEnd('public identity');
    return verifyPublicIdentity(crypto, { userId: deriveUserId(signingKey), signingKey, boxKey, boxKeySignature });
  } catch (e) {
    if (e instanceof KithError) return { ok: false, error: e };
    return fail('malformed', 'public identity could not be decoded', e);
  }
}

export function verifyPublicIdentity(crypto: CryptoPort, p: PublicIdentity): Result<PublicIdentity> {
  if (p.signingKey.length !== 32 || p.boxKey.length !== 32) return fail('malformed', 'keys must be 32 bytes');
  if (deriveUserId(p.signingKey) !== p.userId) return fail('unauthorized', 'user id is not bound to the signing key');
  if (!crypto.verify(p.boxKeySignature, boxKeyMessage(p.signingKey, p.boxKey), p.signingKey)) {
    return fail('bad_signature', 'box key is not signed by the signing key');
  }
  return ok(p);
}

/** 30 decimal digits identifying one user's keys (Signal-style, iterated hash). */
export function fingerprint(crypto: CryptoPort, p: PublicIdentity, iterations = 1024): string {
  const input = concatBytes(p.signingKey, p.boxKey);
  let h = crypto.hash(concatBytes(utf8('kith/v1/fingerprint\0'), input), 64);
  for (let i = 0; i < iterations; i++) h = crypto.hash(concatBytes(h, input), 64);
  let out = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 256 + h[chunk * 5 + i]!;
    out += String(v % 100000).padStart(5, '0');
  }
  return out;
}

/**
 * The safety number two users compare out of band: both 30-digit fingerprints, the smaller
 * first, so it is the same on both sides (60 digits, shown in groups of five).
 */
export function safetyNumber(crypto: CryptoPort, a: PublicIdentity, b: PublicIdentity): string {
  const [x, y] = [fingerprint(crypto, a), fingerprint(crypto, b)].sort();
  return `${x}${y}`;
}
