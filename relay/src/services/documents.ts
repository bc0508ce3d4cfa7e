import { decodeEnvelope, deriveUserId, envelopeLastCounter, envelopeSigningBytes, fail, ok, parseDocId, type Result } from '@kith/core';
import { encodeHex } from '@kith/core/protocol';
import type { LogEntry } from '../store/ports.js';
import type { Session } from './auth.js';
import type { CapabilityService } from './capabilities.js';
import { documentOwner } from './capabilities.js';
import type { RelayContext } from './context.js';
import { sha256Hex, verifyDetached } from './crypto.js';
import { createGroupCommitter, type GroupCommitter } from './group-commit.js';
import type { Hub } from './hub.js';

export interface PushOptions {
  /** write capability token */
  readonly cap?: string | undefined;
  /** for a snapshot: the highest seq it supersedes (SNAP-1) */
  readonly supersedes?: number | undefined;
}

export interface PushAck {
  readonly doc: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

export interface PullPage {
  readonly entries: LogEntry[];
  readonly next: number;
  readonly more: boolean;
  /** CAP-5: read with a rotated-out token: nothing after this page will ever be readable with it. */
  readonly retired: boolean;
}

export interface DocumentService {
  /**
   * Checks an envelope synchronously up to the write queue, then resolves once it is durable.
   * The synchronous part runs in call order, so one connection's pushes keep their order.
   */
  push(session: Session, bytes: Uint8Array, options: PushOptions): Promise<Result<PushAck>>;
  pull(doc: string, cap: string | undefined, after: number, limit: number): Promise<Result<PullPage>>;
  drain(): Promise<void>;
  readonly committer: GroupCommitter;
}

export function createDocumentService(ctx: RelayContext, caps: CapabilityService, hub: Hub): DocumentService {
  const committer = createGroupCommitter(ctx.store.docs);

  /** RLY-5..8: everything the relay can check without keys, before anything is stored. */
  function check(session: Session, bytes: Uint8Array, options: PushOptions) {
    const decoded = decodeEnvelope(bytes);
    if (!decoded.ok) return decoded;
    const env = decoded.value;
    const authorUser = deriveUserId(env.author);
    if (authorUser !== session.userId) return fail('forbidden', 'push only envelopes your account signed');
    const owner = documentOwner(env.doc);
    if (owner !== undefined && owner !== authorUser) return fail('not_the_author', 'the document belongs to another user');
    if (!verifyDetached(env.signature, envelopeSigningBytes(env, env.nonce, env.body), env.author)) {
      return fail('bad_signature', 'envelope signature invalid');
    }
    // BATCH-4: only updates are ranges; receivers would refuse any other (`unauthorized`).
    if (envelopeLastCounter(env) !== env.counter && env.kind !== 'update') return fail('malformed', `a ${env.kind} envelope is not a range`);
    if (options.supersedes !== undefined && (env.kind !== 'snapshot' || owner === undefined)) {
      return fail('invalid_argument', 'only a snapshot of an owned document supersedes entries');
    }
    return ok(env);
  }

  return {
    committer,
    async push(session, bytes, options) {
      const checked = check(session, bytes, options);
      if (!checked.ok) return checked;
      const env = checked.value;
      const writable = await caps.checkWrite(env.doc, options.cap);
      if (!writable.ok) return writable;
      let outcome;
      try {
        outcome = await committer.append({
          doc: env.doc,
          author: encodeHex(env.author),
          device: encodeHex(env.device),
          counter: env.counter,
          to: envelopeLastCounter(env),
          kind: env.kind,
          hash: sha256Hex(bytes),
          bytes,
        });
      } catch (error) {
        ctx.logger.log('error', 'store.append_failed', { error: error instanceof Error ? error.name : 'unknown' });
        return fail('storage_failed', 'the envelope could not be stored');
      }
      switch (outcome.status) {
        case 'equivocation':
          return fail('equivocation', 'a different envelope with this counter is stored (ENV-5)');
        case 'duplicate':
          return ok({ doc: env.doc, seq: outcome.seq, duplicate: true });
        case 'stored': {
          ctx.metrics.envelopesStored++;
          // The envelope is durable: a failing fan-out or compaction must not turn the ack into
          // an error (the client would re-push a stored envelope), so both are contained (M7).
          try {
            hub.publish(env.doc, outcome.seq, bytes);
          } catch (error) {
            ctx.logger.log('error', 'hub.publish_failed', { error: error instanceof Error ? error.name : 'unknown' });
          }
          if (options.supersedes !== undefined) {
            const through = Math.min(options.supersedes, outcome.seq - 1);
            try {
              const dropped = await ctx.store.docs.compact(env.doc, outcome.seq, through);
              ctx.logger.log('info', 'doc.compacted', { seq: outcome.seq, through, dropped });
            } catch (error) {
              ctx.logger.log('error', 'doc.compact_failed', { seq: outcome.seq, error: error instanceof Error ? error.name : 'unknown' });
            }
          }
          return ok({ doc: env.doc, seq: outcome.seq, duplicate: false });
        }
      }
    },
    async pull(doc, cap, after, limit) {
      try {
        parseDocId(doc);
      } catch {
        return fail('invalid_id', 'malformed document id');
      }
      const readable = await caps.checkRead(doc, cap);
      if (!readable.ok) return readable;
      const until = readable.value.until;
      const rows = (await ctx.store.docs.read(doc, after, limit + 1)).filter((e) => until === undefined || e.seq <= until);
      const entries = rows.slice(0, limit);
      return ok({ entries, next: entries.at(-1)?.seq ?? after, more: rows.length > limit, retired: until !== undefined });
    },
    drain: () => committer.drain(),
  };
}
