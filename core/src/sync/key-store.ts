import type { UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Storage, StorageWrite, StoredValue } from '../ports/storage.js';
import { createKeyring, epochKeyHash, type EpochKeyInfo, type Keyring } from '../crypto/keyring.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createKeyDirectory, normalizeUsername, type KeyDirectory, type KnownContact } from '../crypto/key-directory.js';
import type { PublicIdentity } from '../crypto/identity.js';
import { ok, type Result } from '../errors.js';
import { fromBase64, toBase64 } from './base64.js';

/**
 * Everything the sync client must remember about keys, durably (meta keys `sync/key/…`,
 * `sync/roster/…`, `sync/token/…`, `sync/dir/…`): the keyring of epoch keys, the read tokens of
 * relay capability scopes, and the public keys of people met (directory). Writes are returned
 * as storage writes so the caller commits them with whatever else must be atomic.
 *
 * Key material sits in the device's storage unwrapped (as the identity bundle does): the device
 * store is trusted (ADR 0009 § Local secrets).
 */
export interface KnownUser {
  readonly signingKey: Uint8Array;
  readonly boxKey: Uint8Array;
}

export interface KeyStore {
  readonly keyring: Keyring;
  addEpochKey(info: Omit<EpochKeyInfo, 'keyHash'>, key: SecretKey): StorageWrite[];
  addRosterKey(scope: string, epoch: number, key: SecretKey): StorageWrite[];
  tokens(scope: string): string[];
  addToken(scope: string, token: string): StorageWrite[];
  user(id: UserId): KnownUser | undefined;
  addUser(id: UserId, user: KnownUser): StorageWrite[];
  /**
   * C1/KEY-2: a verified identity found under a username in the relay's directory goes through the
   * TOFU key directory: a different signing key for a pinned username is `key_changed` and is NOT
   * stored (the app must show it; `acceptKeyChange` after the user confirms).
   */
  observeUser(username: string, identity: PublicIdentity): Result<StorageWrite[]>;
  acceptKeyChange(username: string, identity: PublicIdentity): StorageWrite[];
  readonly directory: KeyDirectory;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const asObj = (v: StoredValue): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) ? v : undefined);

export async function loadKeyStore(crypto: CryptoPort, storage: Storage): Promise<KeyStore> {
  const keyring = createKeyring(crypto);
  const tokens = new Map<string, string[]>();
  const users = new Map<UserId, KnownUser>();
  const pinned: KnownContact[] = [];
  for (const [, v] of await storage.listMeta('sync/key/')) {
    const o = asObj(v);
    const k = typeof o?.['k'] === 'string' ? fromBase64(o['k']) : undefined;
    if (o === undefined || k === undefined) continue;
    keyring.addEpochKey(
      {
        scope: String(o['scope']),
        epoch: Number(o['epoch']),
        removals: Number(o['removals']),
        createdAt: Number(o['createdAt']),
        createdBy: (o['createdBy'] ?? null) as UserId | null,
        recipients: (Array.isArray(o['recipients']) ? o['recipients'] : []) as UserId[],
        ...(o['provisional'] === true ? { provisional: true } : {}),
        ...(o['historical'] === true ? { historical: true } : {}),
      },
      new SecretKey(k),
    );
  }
  for (const [, v] of await storage.listMeta('sync/roster/')) {
    const o = asObj(v);
    const k = typeof o?.['k'] === 'string' ? fromBase64(o['k']) : undefined;
    if (o !== undefined && k !== undefined) keyring.addRosterKey(String(o['scope']), Number(o['epoch']), new SecretKey(k));
  }
  for (const [key, v] of await storage.listMeta('sync/token/')) {
    if (Array.isArray(v)) tokens.set(key.slice('sync/token/'.length), v.filter((t): t is string => typeof t === 'string'));
  }
  for (const [key, v] of await storage.listMeta('sync/dir/')) {
    const o = asObj(v);
    if (o !== undefined && typeof o['s'] === 'string' && typeof o['b'] === 'string') users.set(key.slice('sync/dir/'.length) as UserId, { signingKey: unhex(o['s']), boxKey: unhex(o['b']) });
  }
  for (const [key, v] of await storage.listMeta('sync/pin/')) {
    const o = asObj(v);
    if (o === undefined || typeof o['s'] !== 'string' || typeof o['b'] !== 'string' || typeof o['g'] !== 'string' || typeof o['u'] !== 'string') continue;
    const identity: PublicIdentity = { userId: o['u'] as UserId, signingKey: unhex(o['s']), boxKey: unhex(o['b']), boxKeySignature: unhex(o['g']) };
    pinned.push({ username: key.slice('sync/pin/'.length), identity, verified: o['v'] === true });
  }
  const directory = createKeyDirectory(pinned);
  const pinWrite = (username: string, identity: PublicIdentity): StorageWrite => {
    const verified = directory.get(username)?.verified === true;
    const value = { u: identity.userId, s: hex(identity.signingKey), b: hex(identity.boxKey), g: hex(identity.boxKeySignature), v: verified };
    return { type: 'putMeta', key: `sync/pin/${normalizeUsername(username)}`, value };
  };
  const store: KeyStore = {
    directory,
    observeUser(username, identity) {
      const seen = directory.observe(username, identity);
      if (!seen.ok) return seen;
      const writes: StorageWrite[] = seen.value === 'same' ? [] : [pinWrite(username, identity)];
      return ok([...writes, ...store.addUser(identity.userId, identity)]);
    },
    acceptKeyChange(username, identity) {
      directory.acceptChange(username, identity);
      return [pinWrite(username, identity), ...store.addUser(identity.userId, identity)];
    },
    keyring,
    addEpochKey(info, key) {
      if (!keyring.addEpochKey(info, key)) return [];
      const hash = epochKeyHash(crypto, key);
      const value = { scope: info.scope, epoch: info.epoch, removals: info.removals, createdAt: info.createdAt, createdBy: info.createdBy, recipients: [...info.recipients], k: toBase64(key.expose()), provisional: info.provisional === true, historical: info.historical === true };
      return [{ type: 'putMeta', key: `sync/key/${info.scope}/${info.epoch}/${hash}`, value }];
    },
    addRosterKey(scope, epoch, key) {
      keyring.addRosterKey(scope, epoch, key);
      return [{ type: 'putMeta', key: `sync/roster/${scope}/${epoch}/${hex(crypto.hash(key.expose(), 16))}`, value: { scope, epoch, k: toBase64(key.expose()) } }];
    },
    tokens: (scope) => tokens.get(scope) ?? [],
    addToken(scope, token) {
      const list = tokens.get(scope) ?? [];
      if (list.includes(token)) return [];
      list.push(token);
      tokens.set(scope, list);
      return [{ type: 'putMeta', key: `sync/token/${scope}`, value: [...list] }];
    },
    user: (id) => users.get(id),
    addUser(id, user) {
      const known = users.get(id);
      if (known !== undefined && hex(known.boxKey) === hex(user.boxKey)) return [];
      users.set(id, user);
      return [{ type: 'putMeta', key: `sync/dir/${id}`, value: { s: hex(user.signingKey), b: hex(user.boxKey) } }];
    },
  };
  return store;
}
