import { authSigningBytes, deriveUserId, fail, ok, type Result } from '@kith/core';
import { decodeHex, encodeHex } from '@kith/core/protocol';
import { isUuid } from '../protocol/uuid.js';
import { createMemoryChallengeStore } from '../store/memory/challenges.js';
import type { SessionRecord } from '../store/ports.js';
import type { RelayContext } from './context.js';
import { randomBytes, randomToken, sha256Hex, verifyDetached } from './crypto.js';

export interface Session {
  readonly userId: string;
  readonly device: string;
  readonly expiresAt: number;
  readonly tokenHash: string;
}

export interface AuthService {
  /**
   * SES-1: a one-time nonce for `userId`, valid `challengeTtlMs`. Issued for unknown users too.
   * L3: unexpired challenges are never evicted; when the table is full, or `address` holds
   * `maxChallengesPerAddress` unexpired ones, the request is `rate_limited`. On a shared store
   * (PostgreSQL) the challenge can be answered at any instance (RLY-35).
   */
  challenge(userId: unknown, address?: string): Promise<Result<{ nonce: string; expiresAt: number }>>;
  /** SES-2: exchanges a signed challenge for a bearer token (returned once, stored hashed). */
  createSession(input: { user: unknown; device: unknown; nonce: unknown; signature: unknown }): Promise<Result<{ token: string; expiresAt: number }>>;
  /** SES-3: the live session of a bearer token, or `unauthorized`. */
  authenticate(token: string | undefined): Promise<Result<Session>>;
  revoke(session: Session): Promise<void>;
}

export function createAuthService(ctx: RelayContext): AuthService {
  // RLY-35: on a shared store every instance sees every challenge; else this process only.
  const challenges = ctx.store.challenges ?? createMemoryChallengeStore();

  return {
    async challenge(userId, address = 'local') {
      if (!isUuid(userId)) return fail('invalid_id', 'user must be a user id');
      const now = ctx.clock.now();
      const nonce = encodeHex(randomBytes(32));
      const expiresAt = now + ctx.limits.challengeTtlMs;
      const r = await challenges.issue({ nonce, userId, address, expiresAt }, now, ctx.limits.maxChallenges, ctx.limits.maxChallengesPerAddress);
      if (r === 'full') return fail('rate_limited', 'too many pending challenges');
      if (r === 'address_full') return fail('rate_limited', 'too many pending challenges from this address');
      return ok({ nonce, expiresAt });
    },

    async createSession({ user, device, nonce, signature }) {
      if (!isUuid(user) || !isUuid(device)) return fail('invalid_id', 'user and device must be UUIDs');
      const nonceBytes = decodeHex(nonce, 32);
      const sig = decodeHex(signature, 64);
      if (nonceBytes === undefined || sig === undefined) return fail('malformed', 'nonce and signature must be hex');
      const c = await challenges.take(nonce as string);
      if (c === undefined || c.userId !== user || c.expiresAt <= ctx.clock.now()) return fail('unauthorized', 'unknown or expired challenge');
      const account = await ctx.store.accounts.getAccount(user);
      if (account === undefined) return fail('unauthorized', 'unknown account');
      const key = decodeHex(account.signKey, 32);
      if (key === undefined || deriveUserId(key) !== user) return fail('unauthorized', 'account key mismatch');
      if (!verifyDetached(sig, authSigningBytes(nonceBytes, user, device), key)) return fail('bad_signature', 'challenge signature invalid');
      const token = randomToken();
      const record: SessionRecord = { tokenHash: sha256Hex(token), userId: user, device, expiresAt: ctx.clock.now() + ctx.limits.sessionTtlMs };
      await ctx.store.accounts.putSession(record);
      ctx.logger.log('info', 'session.created', { user, device });
      return ok({ token, expiresAt: record.expiresAt });
    },

    async authenticate(token) {
      if (token === undefined || token.length === 0 || token.length > 128) return fail('unauthorized', 'missing session token');
      const s = await ctx.store.accounts.getSession(sha256Hex(token));
      if (s === undefined || s.expiresAt <= ctx.clock.now()) return fail('unauthorized', 'unknown or expired session');
      return ok({ userId: s.userId, device: s.device, expiresAt: s.expiresAt, tokenHash: s.tokenHash });
    },

    async revoke(session) {
      await ctx.store.accounts.deleteSession(session.tokenHash);
    },
  };
}

