import { KithError, fail, ok, type Result } from '../errors.js';
import { deriveUserId, parseDocId, parseUserId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import { ByteReader, ByteWriter } from '../protocol/bytes.js';
import { decodeEnvelope, type EnvelopeHeader } from '../protocol/envelope.js';
import { selfCheckArgon2id } from './argon2-self-check.js';
import { verifyEnvelope } from './envelope-open.js';
import { signEnvelope } from './envelope-seal.js';
import { deviceIdToBytes, type Identity } from './identity.js';
import { normalizeUsername } from './key-directory.js';
import { SecretKey, bytesEqual, concatBytes, utf8 } from './secret-key.js';

/**
 * Account backup (BAK-*, docs/PROTOCOL.md § Backup). Username + password → Argon2id → a master
 * key; from it an encryption key and a commitment key. The blob (stored by the relay under
 * `backup:<user>`) holds the format, the backup version, the Argon2id limits, a random
 * per-account salt, the nonce, a key-commitment tag and the ciphertext of the key bundle. The
 * password never leaves the device: only the blob does.
 */
export const BACKUP_MAGIC = utf8('KBK1');
export const BACKUP_FORMAT = 1;
/** libsodium's "interactive" limits: ~140 ms and 64 MiB here. */
export const INTERACTIVE_LIMITS = { opsLimit: 2, memLimitBytes: 64 * 1024 * 1024 } as const;
const MIN_MEM = 8 * 1024 * 1024;
const MAX_MEM = 1024 * 1024 * 1024;
const MAX_BUNDLE = 4096;
const ZERO_NONCE = new Uint8Array(24);

export interface BackupLimits {
  readonly opsLimit: number;
  readonly memLimitBytes: number;
}

export interface SealBackupInput {
  readonly username: string;
  readonly password: string;
  readonly bundle: SecretKey;
  /** Monotonic: each new backup of the account uses a higher version (BAK-4). */
  readonly version: number;
  /** 16 random bytes chosen once per account and kept in every later blob. */
  readonly accountSalt: Uint8Array;
  readonly limits?: BackupLimits;
}

export interface OpenedBackup {
  readonly bundle: SecretKey;
  readonly version: number;
  readonly accountSalt: Uint8Array;
}

interface Parsed {
  version: number;
  opsLimit: number;
  memLimitBytes: number;
  accountSalt: Uint8Array;
  nonce: Uint8Array;
  ad: Uint8Array;
  commitment: Uint8Array;
  ciphertext: Uint8Array;
}

/** BAK-1: the Argon2id salt binds the normalised username and the per-account salt. */
function argonSalt(crypto: CryptoPort, username: string, accountSalt: Uint8Array): Uint8Array {
  return crypto.hash(concatBytes(utf8('kith/v1/backup-salt\0'), utf8(normalizeUsername(username)), new Uint8Array([0]), accountSalt), 16);
}

async function deriveKeys(crypto: CryptoPort, username: string, password: string, accountSalt: Uint8Array, limits: BackupLimits): Promise<{ enc: Uint8Array; commit: Uint8Array }> {
  const check = await selfCheckArgon2id(crypto);
  if (!check.ok) throw check.error;
  const master = await crypto.argon2id(utf8(password.normalize('NFKC')), argonSalt(crypto, username, accountSalt), limits.opsLimit, limits.memLimitBytes, 32);
  const keys = { enc: crypto.hash(utf8('kith/v1/backup-enc'), 32, master), commit: crypto.hash(utf8('kith/v1/backup-commit'), 32, master) };
  master.fill(0);
  return keys;
}

function header(version: number, limits: BackupLimits, accountSalt: Uint8Array, nonce: Uint8Array): Uint8Array {
  return new ByteWriter(80).raw(BACKUP_MAGIC).u8(BACKUP_FORMAT).u32(version).u32(limits.opsLimit).u32(limits.memLimitBytes / 1024).raw(accountSalt).raw(nonce).finish();
}

export async function sealBackup(crypto: CryptoPort, input: SealBackupInput): Promise<Uint8Array> {
  const limits = input.limits ?? INTERACTIVE_LIMITS;
  if (input.accountSalt.length !== 16) throw new KithError('invalid_argument', 'account salt must be 16 bytes');
  if (!Number.isInteger(input.version) || input.version < 1 || input.version > 0xffffffff) throw new KithError('invalid_argument', 'version out of range');
  if (input.bundle.length > MAX_BUNDLE) throw new KithError('invalid_argument', 'bundle too large');
  const { enc, commit } = await deriveKeys(crypto, input.username, input.password, input.accountSalt, limits);
  const nonce = crypto.randomBytes(24);
  const ad = header(input.version, limits, input.accountSalt, nonce);
  const commitment = crypto.hash(ad, 32, commit);
  const ciphertext = crypto.aeadEncrypt(input.bundle.expose(), ad, nonce, enc);
  return new ByteWriter(ad.length + 40 + ciphertext.length).raw(ad).raw(commitment).bytes32(ciphertext).finish();
}

function parseBackup(blob: Uint8Array): Result<Parsed> {
  try {
    const r = new ByteReader(blob);
    if (!bytesEqual(r.raw(4, 'magic'), BACKUP_MAGIC)) return fail('malformed', 'not a Kith backup');
    const format = r.u8('format');
    if (format !== BACKUP_FORMAT) return fail('unsupported_version', `backup format ${format}`);
    const version = r.u32('version');
    const opsLimit = r.u32('ops limit');
    const memLimitBytes = r.u32('memory limit') * 1024;
    const accountSalt = r.raw(16, 'salt').slice();
    const nonce = r.raw(24, 'nonce').slice();
    const ad = blob.slice(0, r.offset);
    const commitment = r.raw(32, 'commitment').slice();
    const ciphertext = r.bytes32(MAX_BUNDLE + 16, 'ciphertext').slice();
    r.expectEnd('backup');
    if (opsLimit < 1 || opsLimit > 10 || memLimitBytes < MIN_MEM || memLimitBytes > MAX_MEM) return fail('malformed', 'backup limits out of range');
    return ok({ version, opsLimit, memLimitBytes, accountSalt, nonce, ad, commitment, ciphertext });
  } catch (error) {
    if (error instanceof KithError) return { ok: false, error };
    return fail('malformed', 'backup could not be decoded', error);
  }
}

/** The version of a blob without the password (to compare before asking for it); unauthenticated. */
export function peekBackupVersion(blob: Uint8Array): Result<number> {
  const p = parseBackup(blob);
  return p.ok ? ok(p.value.version) : p;
}

/**
 * Opens a backup. Order: structure and limits (`malformed`), the commitment tag under the
 * password-derived key (`wrong_password` — also for a wrong username), the authenticated
 * version against `minVersion`, the highest this client has seen (`rollback`, BAK-4; nothing is
 * decrypted), then AEAD decryption (`decrypt_failed`).
 */
export async function openBackup(
  crypto: CryptoPort,
  blob: Uint8Array,
  input: { username: string; password: string; minVersion?: number },
): Promise<Result<OpenedBackup>> {
  const parsed = parseBackup(blob);
  if (!parsed.ok) return parsed;
  const p = parsed.value;
  let keys: { enc: Uint8Array; commit: Uint8Array };
  try {
    keys = await deriveKeys(crypto, input.username, input.password, p.accountSalt, p);
  } catch (error) {
    if (error instanceof KithError) return { ok: false, error };
    return fail('self_check_failed', 'key derivation failed', error);
  }
  if (!bytesEqual(crypto.hash(p.ad, 32, keys.commit), p.commitment)) return fail('wrong_password', 'wrong username or password');
  if (p.version < (input.minVersion ?? 0)) return fail('rollback', `backup version ${p.version} is older than ${input.minVersion ?? 0} already seen`);
  const plain = crypto.aeadDecrypt(p.ciphertext, p.ad, p.nonce, keys.enc);
  if (plain === null) return fail('decrypt_failed', 'backup does not decrypt');
  const bundle = new SecretKey(plain);
  plain.fill(0);
  return ok({ bundle, version: p.version, accountSalt: p.accountSalt });
}

/**
 * BAK-6: a `backup` envelope on `backup:<user>` carries the blob, signed by the account, so the
 * relay accepts a replacement only from the account (and can refuse a lower version). The
 * envelope epoch is the backup version; the nonce is zero (the blob has its own).
 */
export function sealBackupEnvelope(identity: Identity, blob: Uint8Array, counter: number): Uint8Array {
  const version = peekBackupVersion(blob);
  if (!version.ok) throw version.error;
  const h: EnvelopeHeader = {
    version: 1,
    kind: 'backup',
    doc: parseDocId(`backup:${identity.userId}`),
    epoch: version.value,
    author: identity.public.signingKey,
    device: deviceIdToBytes(identity.device),
    counter,
  };
  return signEnvelope(identity, h, ZERO_NONCE, blob);
}

/** Verifies a backup envelope; returns the owner and the blob (whose version must equal the epoch). */
export function openBackupEnvelope(crypto: CryptoPort, bytes: Uint8Array): Result<{ owner: UserId; blob: Uint8Array; version: number }> {
  const decoded = decodeEnvelope(bytes, 64 * 1024);
  if (!decoded.ok) return decoded;
  const e = decoded.value;
  if (e.kind !== 'backup' || !e.doc.startsWith('backup:')) return fail('unauthorized', 'not a backup envelope');
  if (!bytesEqual(e.nonce, ZERO_NONCE)) return fail('malformed', 'backup envelope nonce must be zero');
  const author = verifyEnvelope(crypto, e);
  if (!author.ok) return author;
  let owner: UserId;
  try {
    owner = parseUserId(e.doc.slice('backup:'.length));
  } catch (error) {
    return fail('malformed', 'backup document id', error);
  }
  if (owner !== author.value || deriveUserId(e.author) !== owner) return fail('not_the_author', 'backup signed by another account');
  const version = peekBackupVersion(e.body);
  if (!version.ok) return version;
  if (version.value !== e.epoch) return fail('malformed', 'backup version does not match the envelope');
  return ok({ owner, blob: e.body, version: version.value });
}
