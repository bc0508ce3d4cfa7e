import { capabilityScopeOf, capabilitySigningBytes, deriveUserId, directConversationId, fail, ok, parseUserId, type Result } from '@kith/core';
import { asRecord, decodeHex, encodeHex, formatUuid } from '@kith/core/protocol';
import { isUuid } from '../protocol/uuid.js';
import type { CapabilityRecord, RetiredRead } from '../store/ports.js';

/** CAP-5: how many rotated-out read tokens a scope keeps. */
export const MAX_RETIRED = 8;
import type { Session } from './auth.js';
import type { RelayContext } from './context.js';
import { blake2b128, equalHex, sha256Hex, verifyDetached } from './crypto.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const SCOPE_RE = new RegExp(`^(conv:${UUID}|profile:${UUID}|account:${UUID}|contact:${UUID}:${UUID})$`);

/**
 * The user a document belongs to, when its id names one (ADR 0001): only that user's key may
 * author envelopes in it (RLY-6). `members:<conv>` has no single owner.
 */
export function documentOwner(doc: string): string | undefined {
  const p = doc.split(':');
  if (p[0] === 'feed') return p[2];
  if (p[0] === 'profile' || p[0] === 'account' || p[0] === 'contact' || p[0] === 'backup') return p[1];
  return undefined;
}

/** SYNC-4: the inbox of user `u`: BLAKE2b-128("kith/v1/inbox" ‖ 0x00 ‖ u) as a UUIDv4. */
export function inboxIdOf(user: string): string {
  const h = blake2b128(`kith/v1/inbox\0${user}`);
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  return formatUuid(h);
}

export interface CapabilityService {
  /** CAP-2/3: creates or rotates the capability record of a scope from a signed JSON request. */
  put(session: Session, body: unknown): Promise<Result<{ scope: string; version: number }>>;
  get(scope: string): Promise<CapabilityRecord | undefined>;
  /**
   * CAP-4: a read needs the token whose SHA-256 the scope records. CAP-5: a token of an earlier
   * version still reads what was stored up to its rotation: `until` is then that seq.
   */
  checkRead(doc: string, token: string | undefined): Promise<Result<{ readonly until?: number }>>;
  /** CAP-4: a write needs the write token when the scope records one. */
  checkWrite(doc: string, token: string | undefined): Promise<Result<void>>;
  /** L2: called with the scope after every stored version (live subscriptions re-check). */
  onChange(listener: (scope: string) => void): () => void;
}

export function createCapabilityService(ctx: RelayContext): CapabilityService {
  const listeners = new Set<(scope: string) => void>();
  /** The last seq of a document's log (0 when empty). */
  const lastSeq = async (doc: string): Promise<number> => {
    let after = 0;
    for (;;) {
      const page = await ctx.store.docs.read(doc, after, 1000);
      if (page.length === 0) return after;
      after = page.at(-1)!.seq;
    }
  };
  /**
   * CAP-5: the read tokens a new version retires. A rotated-out token keeps what was stored up to
   * the membership log's last entry at the rotation (seq is relay-global, so no entry of the
   * scope stored after it): a member removed while offline still reads her removal.
   */
  const retire = async (current: CapabilityRecord, readHash: string): Promise<RetiredRead[]> => {
    const kept = current.retired ?? [];
    if (current.readHash === readHash) return [...kept];
    const until = current.scope.startsWith('conv:') ? await lastSeq(`members:${current.scope.slice(5)}`) : 0;
    return [{ readHash: current.readHash, until }, ...kept.filter((r) => r.readHash !== readHash)].slice(0, MAX_RETIRED);
  };
  return {
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async put(session, body) {
      const o = asRecord(body);
      if (o === undefined || o['v'] !== 1) return fail('malformed', 'capability request must be a v1 object');
      const scope = o['scope'];
      const version = o['version'];
      if (typeof scope !== 'string' || !SCOPE_RE.test(scope)) return fail('invalid_id', 'unknown capability scope');
      if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) return fail('malformed', 'version must be ≥ 1');
      const readHash = decodeHex(o['readHash'], 32);
      const writeHash = o['writeHash'] === undefined ? undefined : decodeHex(o['writeHash'], 32);
      const signer = decodeHex(o['signer'], 32);
      const sig = decodeHex(o['signature'], 64);
      const rawControllers = o['controllers'];
      if (readHash === undefined || signer === undefined || sig === undefined || (o['writeHash'] !== undefined && writeHash === undefined)) {
        return fail('malformed', 'hashes, signer and signature must be hex of the right length');
      }
      if (!Array.isArray(rawControllers) || rawControllers.length < 1 || rawControllers.length > 64) return fail('malformed', 'controllers: 1..64 keys');
      const controllers: Uint8Array[] = [];
      for (const c of rawControllers) {
        const k = decodeHex(c, 32);
        if (k === undefined) return fail('malformed', 'controller must be a hex Ed25519 key');
        controllers.push(k);
      }
      const grant = writeHash === undefined ? { scope, version, readHash, controllers } : { scope, version, readHash, writeHash, controllers };
      if (!verifyDetached(sig, capabilitySigningBytes(grant), signer)) return fail('bad_signature', 'capability signature invalid');
      const signerHex = encodeHex(signer);
      const current = await ctx.store.accounts.getCapability(scope);
      const convId = scope.startsWith('conv:') ? scope.slice(5) : undefined;
      // CAP-3 (pair proof): `peer` names the other user of a direct conversation.
      const peer = o['peer'];
      let pair: readonly string[] | undefined;
      if (peer !== undefined) {
        if (convId === undefined || !isUuid(peer) || peer === session.userId || directConversationId(parseUserId(session.userId), parseUserId(peer)) !== convId) {
          return fail('forbidden', 'peer does not make this scope your direct conversation');
        }
        pair = [session.userId, peer];
      }
      if (deriveUserId(signer) !== session.userId && (current === undefined || pair !== undefined)) {
        return fail('forbidden', 'this version must be signed by your account key');
      }
      if (current === undefined) {
        // CAP-3: a scope named after a user, and a user's inbox, can only be claimed by that user.
        const owner = convId === undefined ? scope.split(':')[1] : undefined;
        if (owner !== undefined && owner !== session.userId) return fail('forbidden', 'scope belongs to another user');
        if (convId !== undefined && convId[14] === '4' && convId !== inboxIdOf(session.userId)) {
          return fail('forbidden', 'an inbox scope is claimed by its user');
        }
      } else if (!current.controllers.includes(signerHex)) {
        // CAP-3: one of a direct conversation's pair may take its scope back from controllers
        // that are all outside the pair (a squatter who claimed it first).
        const squatted = pair !== undefined && current.controllers.every((k) => !pair.includes(deriveUserId(decodeHex(k, 32)!)));
        if (!squatted) return fail('forbidden', 'signer is not a controller of this scope');
      }
      const retired = current === undefined ? [] : await retire(current, encodeHex(readHash));
      const record: CapabilityRecord = {
        scope,
        version,
        readHash: encodeHex(readHash),
        controllers: controllers.map(encodeHex),
        ...(writeHash === undefined ? {} : { writeHash: encodeHex(writeHash) }),
        ...(retired.length === 0 ? {} : { retired }),
      };
      const r = await ctx.store.accounts.putCapability(record);
      if (r === 'conflict') return fail('conflict', 'version must be exactly one above the stored version');
      ctx.logger.log('info', 'capability.stored', { scope, version });
      for (const l of listeners) l(scope);
      return ok({ scope, version });
    },
    get: (scope) => ctx.store.accounts.getCapability(scope),
    async checkRead(doc, token) {
      const rec = await ctx.store.accounts.getCapability(capabilityScopeOf(doc));
      if (rec === undefined || token === undefined) return fail('forbidden', 'read capability required');
      const hash = sha256Hex(token);
      if (equalHex(hash, rec.readHash)) return ok({});
      const retired = rec.retired?.find((r) => equalHex(hash, r.readHash));
      return retired === undefined ? fail('forbidden', 'read capability required') : ok({ until: retired.until });
    },
    async checkWrite(doc, token) {
      const rec = await ctx.store.accounts.getCapability(capabilityScopeOf(doc));
      if (rec?.writeHash === undefined) return ok(undefined);
      if (token === undefined || !equalHex(sha256Hex(token), rec.writeHash)) return fail('forbidden', 'write capability required');
      return ok(undefined);
    },
  };
}
