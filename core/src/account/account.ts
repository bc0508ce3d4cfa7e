import { fail, ok, type Result } from '../errors.js';
import { parseDeviceId, type DeviceId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Storage } from '../ports/storage.js';
import type { RelayFetch } from '../ports/transport.js';
import type { SecretVault } from '../ports/vault.js';
import { openBackup, sealBackup, type BackupLimits } from '../crypto/backup.js';
import { createDeviceId, createIdentity, KEY_BUNDLE_BYTES, type Identity } from '../crypto/identity.js';
import { SecretKey, utf8 } from '../crypto/secret-key.js';
import { getBackup, login, lookupAccount, putBackup, registerAccount } from '../sync/relay-http.js';

/**
 * Accounts (ACC, docs/adr/0009-sync.md § Accounts): sign up, log in on a new device with
 * username + password, and keep the identity on the device. The password never leaves the
 * device; the relay stores the password-encrypted key bundle (BAK-*) and the public keys.
 */
export interface AccountOptions {
  readonly crypto: CryptoPort;
  readonly fetch: RelayFetch;
  readonly username: string;
  readonly password: string;
  /** This installation's id (a fresh random one by default). */
  readonly device?: DeviceId;
  /** Argon2id cost (default interactive: 2 passes, 64 MiB); tests pass lower limits. */
  readonly limits?: BackupLimits;
}

/** Creates an identity, registers the username with its public keys and uploads the backup. */
export async function signUp(options: AccountOptions): Promise<Result<Identity>> {
  const { crypto } = options;
  const device = options.device ?? createDeviceId(crypto);
  const bundle = new SecretKey(crypto.randomBytes(KEY_BUNDLE_BYTES));
  const identity = createIdentity(crypto, { device, bundle });
  const reg = await registerAccount(options.fetch, identity, options.username);
  if (!reg.ok) return reg;
  const session = await login(options.fetch, identity);
  if (!session.ok) return session;
  const blob = await sealBackup(crypto, {
    username: options.username,
    password: options.password,
    bundle,
    version: 1,
    accountSalt: crypto.randomBytes(16),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const put = await putBackup(options.fetch, session.value, 1, blob);
  if (!put.ok) return put;
  return ok(identity);
}

/**
 * A new device: fetches the backup of `username`, opens it with the password (`wrong_password`
 * otherwise), restores the identity and checks it is the one the relay's directory names for the
 * username. The conversations then come from the relay alone through the sync client.
 */
export async function logIn(options: Omit<AccountOptions, 'limits'>): Promise<Result<Identity>> {
  const { crypto } = options;
  const blob = await getBackup(options.fetch, options.username);
  if (!blob.ok) return blob;
  const opened = await openBackup(crypto, blob.value, { username: options.username, password: options.password });
  if (!opened.ok) return opened;
  const identity = createIdentity(crypto, { device: options.device ?? createDeviceId(crypto), bundle: opened.value.bundle });
  const entry = await lookupAccount(options.fetch, crypto, options.username);
  if (!entry.ok) return entry;
  if (entry.value.userId !== identity.userId) return fail('key_changed', 'the backup does not belong to the account of this username');
  return ok(identity);
}

/** Before ADR 0012 the bundle sat here in clear; read once, re-wrapped, then deleted. */
const LEGACY_BUNDLE_KEY = 'account/bundle';
const BUNDLE_KEY = 'account/bundle-wrapped';
const DEVICE_KEY = 'account/device';

/** Associated data of the wrapped bundle (LOC-3): binds it to its meta key and this device. */
const bundleAad = (device: DeviceId): Uint8Array => utf8(`kith/v1/local/${BUNDLE_KEY}\0${device}`);

/**
 * Keeps the identity on this device so the app restarts without the password: meta
 * `account/bundle-wrapped` = the key bundle wrapped by the device's vault (ADR 0012), and
 * `account/device`. The bundle never reaches storage in clear.
 */
export async function saveIdentity(storage: Storage, identity: Identity, vault: SecretVault): Promise<void> {
  const wrapped = await vault.wrap(identity.exportBundle().expose(), bundleAad(identity.device));
  await storage.commit([
    { type: 'putMeta', key: BUNDLE_KEY, value: wrapped },
    { type: 'putMeta', key: DEVICE_KEY, value: identity.device },
    { type: 'deleteMeta', key: LEGACY_BUNDLE_KEY },
  ]);
}

/**
 * The identity kept on this device: `ok(undefined)` when none is stored; a failure when the
 * stored bundle does not unwrap with `vault` (`decrypt_failed`: the vault key is gone or the value
 * was altered; the user logs in again with the password) or is not a bundle (`malformed`).
 * A bundle stored in clear by an earlier version is wrapped and the clear copy deleted.
 */
export async function loadIdentity(crypto: CryptoPort, storage: Storage, vault: SecretVault): Promise<Result<Identity | undefined>> {
  const stored = await storage.getMeta(DEVICE_KEY);
  if (typeof stored !== 'string') return ok(undefined);
  let device: DeviceId;
  try {
    device = parseDeviceId(stored);
  } catch (e) {
    return fail('malformed', 'the stored device id is not a device id', e);
  }
  const wrapped = await storage.getMeta(BUNDLE_KEY);
  let bundle: Uint8Array;
  if (wrapped instanceof Uint8Array) {
    const opened = await vault.unwrap(wrapped, bundleAad(device));
    if (!opened.ok) return opened;
    bundle = opened.value;
  } else {
    const legacy = await storage.getMeta(LEGACY_BUNDLE_KEY);
    if (!(legacy instanceof Uint8Array)) return ok(undefined);
    bundle = legacy;
  }
  if (bundle.length !== KEY_BUNDLE_BYTES) return fail('malformed', 'the stored key bundle has the wrong length');
  const identity = createIdentity(crypto, { device, bundle: new SecretKey(bundle) });
  if (!(wrapped instanceof Uint8Array)) await saveIdentity(storage, identity, vault);
  return ok(identity);
}
