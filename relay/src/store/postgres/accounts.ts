import type { Sql } from 'postgres';
import type { AccountRecord, AccountStore, CapabilityRecord, RetiredRead } from '../ports.js';
import { asBuffer } from './bytes.js';

interface AccountRow {
  user_id: string;
  username: string;
  username_key: string;
  sign_key: string;
  box_key: string;
  created_at: string;
  identity: string | null;
}
interface CapRow {
  scope: string;
  version: string;
  read_hash: string;
  write_hash: string | null;
  controllers: string[];
  retired: string | null;
}

function toAccount(r: AccountRow): AccountRecord {
  const base = { userId: r.user_id, username: r.username, usernameKey: r.username_key, signKey: r.sign_key, boxKey: r.box_key, createdAt: Number(r.created_at) };
  return r.identity === null ? base : { ...base, identity: r.identity };
}

function toCap(r: CapRow): CapabilityRecord {
  const base = {
    scope: r.scope,
    version: Number(r.version),
    readHash: r.read_hash,
    controllers: [...r.controllers],
    ...(r.retired === null ? {} : { retired: JSON.parse(r.retired) as RetiredRead[] }),
  };
  return r.write_hash === null ? base : { ...base, writeHash: r.write_hash };
}

/**
 * AccountStore on PostgreSQL (accounts, backups, sessions, capabilities). Every conditional
 * write is one statement whose WHERE decides, so two instances racing get one winner.
 */
export function createPostgresAccountStore(sql: Sql): AccountStore {
  return {
    async createAccount(r) {
      const rows = await sql`
        INSERT INTO accounts (user_id, username, username_key, sign_key, box_key, created_at, identity)
        VALUES (${r.userId}, ${r.username}, ${r.usernameKey}, ${r.signKey}, ${r.boxKey}, ${r.createdAt}::int8, ${r.identity ?? null}::text)
        ON CONFLICT DO NOTHING RETURNING 1`;
      return rows.length === 1 ? 'created' : 'taken';
    },
    async getAccountByUsername(key) {
      const [r] = await sql<AccountRow[]>`SELECT * FROM accounts WHERE username_key = ${key}`;
      return r === undefined ? undefined : toAccount(r);
    },
    async getAccount(id) {
      const [r] = await sql<AccountRow[]>`SELECT * FROM accounts WHERE user_id = ${id}`;
      return r === undefined ? undefined : toAccount(r);
    },
    async putBackup(userId, b) {
      const rows = await sql`
        INSERT INTO backups (user_id, version, bytes) VALUES (${userId}, ${b.version}::int8, ${asBuffer(b.bytes)}::bytea)
        ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, bytes = excluded.bytes
        WHERE excluded.version > backups.version RETURNING 1`;
      return rows.length === 1 ? 'stored' : 'rollback';
    },
    async getBackup(userId) {
      const [r] = await sql<{ version: string; bytes: Buffer }[]>`SELECT version, bytes FROM backups WHERE user_id = ${userId}`;
      return r === undefined ? undefined : { version: Number(r.version), bytes: new Uint8Array(r.bytes) };
    },
    async putSession(s) {
      await sql`
        INSERT INTO sessions (token_hash, user_id, device, expires_at) VALUES (${s.tokenHash}, ${s.userId}, ${s.device}, ${s.expiresAt}::int8)
        ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, device = excluded.device, expires_at = excluded.expires_at`;
    },
    async getSession(h) {
      const [r] = await sql<{ token_hash: string; user_id: string; device: string; expires_at: string }[]>`
        SELECT * FROM sessions WHERE token_hash = ${h}`;
      return r === undefined ? undefined : { tokenHash: r.token_hash, userId: r.user_id, device: r.device, expiresAt: Number(r.expires_at) };
    },
    async deleteSession(h) {
      await sql`DELETE FROM sessions WHERE token_hash = ${h}`;
    },
    async pruneSessions(now) {
      const rows = await sql`DELETE FROM sessions WHERE expires_at <= ${now}::int8 RETURNING 1`;
      return rows.length;
    },
    async getCapability(scope) {
      const [r] = await sql<CapRow[]>`SELECT * FROM caps WHERE scope = ${scope}`;
      return r === undefined ? undefined : toCap(r);
    },
    async putCapability(c) {
      const write = c.writeHash ?? null;
      const retired = c.retired === undefined || c.retired.length === 0 ? null : JSON.stringify(c.retired);
      const rows =
        c.version === 1
          ? await sql`
              INSERT INTO caps (scope, version, read_hash, write_hash, controllers, retired)
              VALUES (${c.scope}, 1, ${c.readHash}, ${write}::text, ${[...c.controllers]}::text[], ${retired}::text)
              ON CONFLICT DO NOTHING RETURNING 1`
          : await sql`
              UPDATE caps SET version = ${c.version}::int8, read_hash = ${c.readHash}, write_hash = ${write}::text, controllers = ${[...c.controllers]}::text[],
                  retired = ${retired}::text
              WHERE scope = ${c.scope} AND version = ${c.version - 1}::int8 RETURNING 1`;
      return rows.length === 1 ? 'stored' : 'conflict';
    },
  };
}
