import type Database from 'better-sqlite3';
import type { AccountRecord, AccountStore, CapabilityRecord, RetiredRead, SessionRecord } from '../ports.js';
import type { DurableBarrier } from './wal-sync.js';

interface AccountRow {
  user_id: string;
  username: string;
  username_key: string;
  sign_key: string;
  box_key: string;
  created_at: number;
  identity: string | null;
}
interface CapRow {
  scope: string;
  version: number;
  read_hash: string;
  write_hash: string | null;
  controllers: string;
  retired: string | null;
}
interface SessionRow {
  token_hash: string;
  user_id: string;
  device: string;
  expires_at: number;
}

function toAccount(r: AccountRow): AccountRecord {
  const base = { userId: r.user_id, username: r.username, usernameKey: r.username_key, signKey: r.sign_key, boxKey: r.box_key, createdAt: r.created_at };
  return r.identity === null ? base : { ...base, identity: r.identity };
}

function toCap(r: CapRow): CapabilityRecord {
  const base = {
    scope: r.scope,
    version: r.version,
    readHash: r.read_hash,
    controllers: JSON.parse(r.controllers) as string[],
    ...(r.retired === null ? {} : { retired: JSON.parse(r.retired) as RetiredRead[] }),
  };
  return r.write_hash === null ? base : { ...base, writeHash: r.write_hash };
}

/**
 * AccountStore on SQLite (accounts, backups, sessions, capabilities). Every write resolves after
 * `durable()` (RLY-10); a read on this connection may see a write a moment before it is.
 */
export function createSqliteAccountStore(db: Database.Database, durable: DurableBarrier): AccountStore {
  const insertAccount = db.prepare(
    'INSERT OR IGNORE INTO accounts (user_id, username, username_key, sign_key, box_key, created_at, identity) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const byName = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE username_key = ?');
  const byUser = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE user_id = ?');
  const getBackup = db.prepare<[string], { version: number; bytes: Buffer }>('SELECT version, bytes FROM backups WHERE user_id = ?');
  const putBackup = db.prepare(
    'INSERT INTO backups (user_id, version, bytes) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, bytes = excluded.bytes WHERE excluded.version > backups.version',
  );
  const putSession = db.prepare('INSERT OR REPLACE INTO sessions (token_hash, user_id, device, expires_at) VALUES (?, ?, ?, ?)');
  const getSession = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?');
  const deleteSession = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
  const pruneSessions = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  const getCap = db.prepare<[string], CapRow>('SELECT * FROM caps WHERE scope = ?');
  const insertCap = db.prepare('INSERT OR IGNORE INTO caps (scope, version, read_hash, write_hash, controllers, retired) VALUES (?, ?, ?, ?, ?, ?)');
  const updateCap = db.prepare(
    'UPDATE caps SET version = ?, read_hash = ?, write_hash = ?, controllers = ?, retired = ? WHERE scope = ? AND version = ?',
  );

  return {
    async createAccount(r) {
      const info = insertAccount.run(r.userId, r.username, r.usernameKey, r.signKey, r.boxKey, r.createdAt, r.identity ?? null);
      await durable();
      return info.changes === 1 ? 'created' : 'taken';
    },
    getAccountByUsername(key) {
      const r = byName.get(key);
      return Promise.resolve(r === undefined ? undefined : toAccount(r));
    },
    getAccount(id) {
      const r = byUser.get(id);
      return Promise.resolve(r === undefined ? undefined : toAccount(r));
    },
    async putBackup(userId, b) {
      const info = putBackup.run(userId, b.version, b.bytes);
      await durable();
      return info.changes === 1 ? 'stored' : 'rollback';
    },
    getBackup(userId) {
      const r = getBackup.get(userId);
      return Promise.resolve(r === undefined ? undefined : { version: r.version, bytes: new Uint8Array(r.bytes) });
    },
    async putSession(s: SessionRecord) {
      putSession.run(s.tokenHash, s.userId, s.device, s.expiresAt);
      await durable();
    },
    getSession(h) {
      const r = getSession.get(h);
      return Promise.resolve(r === undefined ? undefined : { tokenHash: r.token_hash, userId: r.user_id, device: r.device, expiresAt: r.expires_at });
    },
    async deleteSession(h) {
      deleteSession.run(h);
      await durable();
    },
    async pruneSessions(now) {
      const n = pruneSessions.run(now).changes;
      if (n > 0) await durable();
      return n;
    },
    getCapability(scope) {
      const r = getCap.get(scope);
      return Promise.resolve(r === undefined ? undefined : toCap(r));
    },
    async putCapability(c) {
      const controllers = JSON.stringify(c.controllers);
      const retired = c.retired === undefined || c.retired.length === 0 ? null : JSON.stringify(c.retired);
      const info =
        c.version === 1
          ? insertCap.run(c.scope, 1, c.readHash, c.writeHash ?? null, controllers, retired)
          : updateCap.run(c.version, c.readHash, c.writeHash ?? null, controllers, retired, c.scope, c.version - 1);
      await durable();
      return info.changes === 1 ? 'stored' : 'conflict';
    },
  };
}
