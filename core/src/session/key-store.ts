import type { UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Storage, StorageWrite, StoredValue } from '../ports/storage.js';
import type { SecretVault } from '../ports/vault.js';
import { openDataKey, type DataKey } from '../vault/data-key.js';
import { createKeyring, epochKeyHash, type EpochKeyInfo, type Keyring } from '../crypto/keyring.js';
import { SecretKey, utf8 } from '../crypto/secret-key.js';
import { createKeyDirectory, normalizeUsername, type KeyDirectory, type KnownContact } from '../crypto/key-directory.js';
import type { PublicIdentity } from '../crypto/identity.js';
import { ok, type Result } from '../errors.js';
import { decodeBase64 as fromBase64, encodeBase64 as toBase64 } from '../protocol/base64.js';
import { decodeHex, encodeHex as hex } from '../protocol/hex.js';

/**
 * Everything the sync client must remember about keys, durably (meta keys `sync/key/…`,
 * `sync/roster/…`, `sync/token/…`, `sync/dir/…`): the keyring of epoch keys, the read tokens of
 * relay capability scopes, and the public keys of people met (directory). Writes are returned
 * as storage writes so the caller commits them with whatever else must be atomic.
 *
 * Secrets are stored wrapped (ADR 0012, PROTOCOL LOC-2): epoch keys, roster keys and read tokens
 * are sealed with the sync data key (`vault/data-key/sync`, itself wrapped by the device's
 * SecretVault), the associated data binding the meta key and the entry's metadata. Public keys
 * (`sync/dir/`, `sync/pin/`) stay in clear. Entries written unwrapped by earlier versions are
 * read and re-written wrapped when the store is loaded.
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
  /** A pending capability claim's record (meta `sync/claim/<scope>`) with its read token sealed (LOC-2). */
  claimRecord(scope: string, token: string, peer?: UserId): StoredValue;
  /** Reads a claim record: sealed, or in clear as earlier versions wrote it. Undefined if unreadable. */
  readClaim(scope: string, value: StoredValue): { token: string; peer?: UserId } | undefined;
  /** What the load found (counts only): entries read wrapped, unwrapped ones re-wrapped, unreadable ones skipped. */
  readonly loaded: { readonly wrapped: number; readonly migrated: number; readonly unreadable: number };
}

/** Meta key of the data key that seals this store's secrets (wrapped by the vault). */
export const SYNC_DATA_KEY = 'vault/data-key/sync';

type EpochMeta = Omit<EpochKeyInfo, 'keyHash'>;

/** Associated data of a sealed epoch key: its meta key and every metadata field (LOC-2). */
const epochAad = (metaKey: string, i: EpochMeta): string =>
  `${metaKey}\n${JSON.stringify([i.scope, i.epoch, i.removals, i.createdAt, i.createdBy, [...i.recipients], i.provisional === true, i.historical === true])}`;

function epochValue(sealer: DataKey, metaKey: string, i: EpochMeta, key: Uint8Array): StoredValue {
  const w = toBase64(sealer.seal(key, epochAad(metaKey, i)));
  return { scope: i.scope, epoch: i.epoch, removals: i.removals, createdAt: i.createdAt, createdBy: i.createdBy, recipients: [...i.recipients], provisional: i.provisional === true, historical: i.historical === true, w };
}

const rosterAad = (metaKey: string, scope: string, epoch: number): string => `${metaKey}\n${JSON.stringify([scope, epoch])}`;
const rosterValue = (sealer: DataKey, metaKey: string, scope: string, epoch: number, key: Uint8Array): StoredValue => ({ scope, epoch, w: toBase64(sealer.seal(key, rosterAad(metaKey, scope, epoch))) });
const tokensValue = (sealer: DataKey, metaKey: string, list: readonly string[]): StoredValue => ({ w: toBase64(sealer.seal(utf8(JSON.stringify(list)), metaKey)) });

const asObj = (v: StoredValue): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) ? v : undefined);

/**
 * Loads the key store, unwrapping with `vault` (rejects with `decrypt_failed` if the store's data
 * key does not unwrap: this device's vault key is gone). Unwrapped entries of earlier versions
 * are re-wrapped and committed before it returns.
 */
export async function loadKeyStore(crypto: CryptoPort, storage: Storage, vault: SecretVault): Promise<KeyStore> {
  const sealer = await openDataKey(crypto, storage, vault, SYNC_DATA_KEY);
  const loaded = { wrapped: 0, migrated: 0, unreadable: 0 };
  const migration: StorageWrite[] = [];
  /** The secret of an entry: sealed (`w`) or, from an earlier version, in clear (`k`, re-wrapped by `rewrap`). */
  const secretOf = (o: Record<string, unknown>, aad: string, rewrap: (clear: Uint8Array) => StorageWrite): Uint8Array | undefined => {
    if (typeof o['w'] === 'string') {
      const sealed = fromBase64(o['w']);
      const opened = sealed === undefined ? undefined : sealer.open(sealed, aad);
      if (opened?.ok === true) {
        loaded.wrapped++;
        return opened.value;
      }
      loaded.unreadable++;
      return undefined;
    }
    const clear = typeof o['k'] === 'string' ? fromBase64(o['k']) : undefined;
    if (clear === undefined) return undefined;
    loaded.migrated++;
    migration.push(rewrap(clear));
    return clear;
  };
  const keyring = createKeyring(crypto);
  const tokens = new Map<string, string[]>();
  const users = new Map<UserId, KnownUser>();
  const pinned: KnownContact[] = [];
  for (const [metaKey, v] of await storage.listMeta('sync/key/')) {
    const o = asObj(v);
    if (o === undefined) continue;
    const info: EpochMeta = {
      scope: String(o['scope']),
      epoch: Number(o['epoch']),
      removals: Number(o['removals']),
      createdAt: Number(o['createdAt']),
      createdBy: (o['createdBy'] ?? null) as UserId | null,
      recipients: (Array.isArray(o['recipients']) ? o['recipients'] : []) as UserId[],
      ...(o['provisional'] === true ? { provisional: true } : {}),
      ...(o['historical'] === true ? { historical: true } : {}),
    };
    const k = secretOf(o, epochAad(metaKey, info), (clear) => ({ type: 'putMeta', key: metaKey, value: epochValue(sealer, metaKey, info, clear) }));
    if (k !== undefined) keyring.addEpochKey(info, new SecretKey(k));
  }
  for (const [metaKey, v] of await storage.listMeta('sync/roster/')) {
    const o = asObj(v);
    if (o === undefined) continue;
    const scope = String(o['scope']);
    const epoch = Number(o['epoch']);
    const k = secretOf(o, rosterAad(metaKey, scope, epoch), (clear) => ({ type: 'putMeta', key: metaKey, value: rosterValue(sealer, metaKey, scope, epoch, clear) }));
    if (k !== undefined) keyring.addRosterKey(scope, epoch, new SecretKey(k));
  }
  const dec = new TextDecoder();
  for (const [metaKey, v] of await storage.listMeta('sync/token/')) {
    const scope = metaKey.slice('sync/token/'.length);
    const strings = (list: unknown): string[] => (Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : []);
    if (Array.isArray(v)) {
      const list = strings(v);
      tokens.set(scope, list);
      loaded.migrated++;
      migration.push({ type: 'putMeta', key: metaKey, value: tokensValue(sealer, metaKey, list) });
      continue;
    }
    const o = asObj(v);
    if (o === undefined) continue;
    const clear = secretOf(o, metaKey, () => ({ type: 'deleteMeta', key: metaKey }));
    if (clear === undefined) continue;
    try {
      tokens.set(scope, strings(JSON.parse(dec.decode(clear))));
    } catch {
      loaded.unreadable++;
    }
  }
  if (migration.length > 0) await storage.commit(migration);
  for (const [key, v] of await storage.listMeta('sync/dir/')) {
    const o = asObj(v);
    const [signingKey, boxKey] = [decodeHex(o?.['s'], 32), decodeHex(o?.['b'], 32)];
    if (signingKey !== undefined && boxKey !== undefined) users.set(key.slice('sync/dir/'.length) as UserId, { signingKey, boxKey });
    else loaded.unreadable++;
  }
  for (const [key, v] of await storage.listMeta('sync/pin/')) {
    const o = asObj(v);
    const [signingKey, boxKey, boxKeySignature] = [decodeHex(o?.['s'], 32), decodeHex(o?.['b'], 32), decodeHex(o?.['g'], 64)];
    if (o === undefined || signingKey === undefined || boxKey === undefined || boxKeySignature === undefined || typeof o['u'] !== 'string') {
      loaded.unreadable++;
      continue;
    }
    const identity: PublicIdentity = { userId: o['u'] as UserId, signingKey, boxKey, boxKeySignature };
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
    loaded,
    claimRecord(scope, token, peer) {
      const metaKey = `sync/claim/${scope}`;
      return { w: toBase64(sealer.seal(utf8(token), `${metaKey}\n${peer ?? ''}`)), ...(peer === undefined ? {} : { peer }) };
    },
    readClaim(scope, value) {
      const o = asObj(value);
      if (o === undefined) return undefined;
      const peer = typeof o['peer'] === 'string' ? (o['peer'] as UserId) : undefined;
      const withPeer = (token: string): { token: string; peer?: UserId } => ({ token, ...(peer === undefined ? {} : { peer }) });
      if (typeof o['token'] === 'string') return withPeer(o['token']);
      const sealed = typeof o['w'] === 'string' ? fromBase64(o['w']) : undefined;
      const opened = sealed === undefined ? undefined : sealer.open(sealed, `sync/claim/${scope}\n${peer ?? ''}`);
      return opened?.ok === true ? withPeer(new TextDecoder().decode(opened.value)) : undefined;
    },
    addEpochKey(info, key) {
      if (!keyring.addEpochKey(info, key)) return [];
      const hash = epochKeyHash(crypto, key);
      const metaKey = `sync/key/${info.scope}/${info.epoch}/${hash}`;
      return [{ type: 'putMeta', key: metaKey, value: epochValue(sealer, metaKey, info, key.expose()) }];
    },
    addRosterKey(scope, epoch, key) {
      keyring.addRosterKey(scope, epoch, key);
      const metaKey = `sync/roster/${scope}/${epoch}/${hex(crypto.hash(key.expose(), 16))}`;
      return [{ type: 'putMeta', key: metaKey, value: rosterValue(sealer, metaKey, scope, epoch, key.expose()) }];
    },
    tokens: (scope) => tokens.get(scope) ?? [],
    addToken(scope, token) {
      const list = tokens.get(scope) ?? [];
      if (list.includes(token)) return [];
      list.push(token);
      tokens.set(scope, list);
      return [{ type: 'putMeta', key: `sync/token/${scope}`, value: tokensValue(sealer, `sync/token/${scope}`, list) }];
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
