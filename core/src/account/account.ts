import { fail, ok, type Result } from '../errors.js';
import { parseDeviceId, type DeviceId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Storage } from '../ports/storage.js';
import type { RelayFetch } from '../ports/transport.js';
import { openBackup, sealBackup, type BackupLimits } from '../crypto/backup.js';
import { createDeviceId, createIdentity, KEY_BUNDLE_BYTES, type Identity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
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

const BUNDLE_KEY = 'account/bundle';
const DEVICE_KEY = 'account/device';

/** Keeps the identity on this device (meta `account/…`) so the app restarts without the password. */
export async function saveIdentity(storage: Storage, identity: Identity): Promise<void> {
  await storage.commit([
    { type: 'putMeta', key: BUNDLE_KEY, value: identity.exportBundle().expose() },
    { type: 'putMeta', key: DEVICE_KEY, value: identity.device },
  ]);
}

export async function loadIdentity(crypto: CryptoPort, storage: Storage): Promise<Identity | undefined> {
  const bundle = await storage.getMeta(BUNDLE_KEY);
  const device = await storage.getMeta(DEVICE_KEY);
  if (!(bundle instanceof Uint8Array) || typeof device !== 'string') return undefined;
  return createIdentity(crypto, { device: parseDeviceId(device), bundle: new SecretKey(bundle) });
}
