import type { AccountRecord, AccountStore, BackupRecord, CapabilityRecord, SessionRecord } from '../ports.js';

/** AccountStore in memory. Same contract as SQLite. */
export function createMemoryAccountStore(): AccountStore {
  const byUser = new Map<string, AccountRecord>();
  const byName = new Map<string, AccountRecord>();
  const backups = new Map<string, BackupRecord>();
  const sessions = new Map<string, SessionRecord>();
  const caps = new Map<string, CapabilityRecord>();
  return {
    createAccount(r: AccountRecord) {
      if (byUser.has(r.userId) || byName.has(r.usernameKey)) return Promise.resolve('taken' as const);
      byUser.set(r.userId, { ...r });
      byName.set(r.usernameKey, { ...r });
      return Promise.resolve('created' as const);
    },
    getAccountByUsername: (key) => Promise.resolve(byName.get(key)),
    getAccount: (id) => Promise.resolve(byUser.get(id)),
    putBackup(userId: string, b: BackupRecord) {
      const cur = backups.get(userId);
      if (cur !== undefined && b.version <= cur.version) return Promise.resolve('rollback' as const);
      backups.set(userId, { version: b.version, bytes: b.bytes.slice() });
      return Promise.resolve('stored' as const);
    },
    getBackup(userId: string) {
      const b = backups.get(userId);
      return Promise.resolve(b === undefined ? undefined : { version: b.version, bytes: b.bytes.slice() });
    },
    putSession(s: SessionRecord) {
      sessions.set(s.tokenHash, { ...s });
      return Promise.resolve();
    },
    getSession: (h) => Promise.resolve(sessions.get(h)),
    deleteSession(h: string) {
      sessions.delete(h);
      return Promise.resolve();
    },
    pruneSessions(now: number) {
      let n = 0;
      for (const [k, s] of sessions) {
        if (s.expiresAt <= now) {
          sessions.delete(k);
          n++;
        }
      }
      return Promise.resolve(n);
    },
    getCapability: (scope) => Promise.resolve(caps.get(scope)),
    putCapability(r: CapabilityRecord) {
      const cur = caps.get(r.scope);
      if (r.version !== (cur?.version ?? 0) + 1) return Promise.resolve('conflict' as const);
      caps.set(r.scope, { ...r, controllers: [...r.controllers], ...(r.retired === undefined ? {} : { retired: r.retired.map((x) => ({ ...x })) }) });
      return Promise.resolve('stored' as const);
    },
  };
}
