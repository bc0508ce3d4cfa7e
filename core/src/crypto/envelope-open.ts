import { fail, ok, type Result } from '../errors.js';
import { deriveUserId, toHex, type UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import { decodeChangeList } from '../protocol/change-list.js';
import { ENVELOPE_RANGE_VERSION, decodeEnvelope, encodeEnvelopeHeader, envelopeLastCounter, envelopeSigningBytes, type Envelope } from '../protocol/envelope.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Authorize } from './authorize.js';
import type { CounterTracker } from './counter-tracker.js';
import { deviceIdFromBytes } from './identity.js';
import type { Keyring } from './keyring.js';

export interface OpenContext {
  readonly keyring: Keyring;
  readonly authorize: Authorize;
  readonly counters: CounterTracker;
}

export interface OpenedChange {
  /** The envelope's first change (its only one for version 1). */
  readonly change: DocChange;
  /** BATCH-1: every change of the envelope's range, in counter order (`[change]` for version 1). */
  readonly changes: readonly DocChange[];
  readonly kind: 'update' | 'snapshot' | 'member';
  readonly epoch: number;
  /** Counters skipped by this envelope (now reported as gaps of the stream), 0 if none. */
  readonly gap: number;
  /** It filled an earlier gap. */
  readonly late: boolean;
}

/**
 * An opened change whose counter is NOT recorded yet (review M1): the caller hands the change to
 * the engine and calls `commit()` only once the engine accepted it (applied, pending or
 * duplicate). If the engine refuses it transiently (`rate_limited`, a load race), the caller
 * does not commit, so the same envelope opens again on a later pull instead of being a `replay`.
 */
export interface UncommittedChange extends OpenedChange {
  /**
   * Records the counter. Re-checks it first (another envelope may have taken the counter since
   * `open`): `replay` if this very envelope was committed already, `equivocation` if another
   * envelope was committed at that counter. Idempotent after success.
   */
  commit(): Result<void>;
}

/** The stream a counter belongs to (ENV-5): doc, author key, device. */
export function counterStream(e: Pick<Envelope, 'doc' | 'author' | 'device'>): string {
  return `${e.doc}|${toHex(e.author)}|${toHex(e.device)}`;
}

/** Verifies an envelope's signature (ENV-4) and returns the author's user id. */
export function verifyEnvelope(crypto: CryptoPort, e: Envelope): Result<UserId> {
  if (!crypto.verify(e.signature, envelopeSigningBytes(e, e.nonce, e.body), e.author)) {
    return fail('bad_signature', 'envelope signature does not verify');
  }
  return ok(deriveUserId(e.author));
}

/**
 * Opens an update, snapshot or member envelope (ENV-6). Checks, in this order, and returns
 * the first failure: structure (`malformed`, `unsupported_version`, `too_large`), kind
 * (`unauthorized` for key/backup envelopes), signature (`bad_signature`), the author's right to
 * the change (the `authorize` callback's code), a key for the epoch (`unknown_epoch`),
 * decryption (`decrypt_failed`), counter (`replay`, `equivocation`, `counter_gap`). The counter is recorded
 * only when every check passed; nothing else changes on failure.
 *
 * This records the counter at once (check-and-commit). When the receiver may still refuse the
 * change afterwards, use `openEnvelopeUncommitted` and commit after it accepted (M1).
 */
export function openEnvelope(crypto: CryptoPort, bytes: Uint8Array, ctx: OpenContext): Result<OpenedChange> {
  const r = openEnvelopeUncommitted(crypto, bytes, ctx);
  if (!r.ok) return r;
  const committed = r.value.commit();
  if (!committed.ok) return committed;
  const { change, changes, kind, epoch, gap, late } = r.value;
  return ok({ change, changes, kind, epoch, gap, late });
}

/**
 * `openEnvelope` without recording the counter (M1): the same checks in the same order, the
 * counter only checked; nothing changes until `commit()` on the result.
 */
export function openEnvelopeUncommitted(crypto: CryptoPort, bytes: Uint8Array, ctx: OpenContext): Result<UncommittedChange> {
  const decoded = decodeEnvelope(bytes);
  return decoded.ok ? openDecodedUncommitted(crypto, decoded.value, ctx) : decoded;
}

/**
 * `openEnvelopeUncommitted` of an envelope the caller decoded already (`decodeEnvelope`): the
 * receive path decodes each envelope once and passes the decoded value down (ADR 0014 addendum).
 */
export function openDecodedUncommitted(crypto: CryptoPort, e: Envelope, ctx: OpenContext): Result<UncommittedChange> {
  if (e.kind !== 'update' && e.kind !== 'snapshot' && e.kind !== 'member') {
    return fail('unauthorized', `a ${e.kind} envelope does not carry a document change`);
  }
  if ((e.kind === 'member') !== e.doc.startsWith('members:')) return fail('unauthorized', 'envelope kind does not match its document');
  const kind: DocChange['kind'] = e.kind;
  // BATCH-4: only updates are batched; a membership op or snapshot is a range of one.
  if (e.version === ENVELOPE_RANGE_VERSION && e.kind !== 'update') return fail('unauthorized', `a ${e.kind} envelope is not a range`);
  const author = verifyEnvelope(crypto, e);
  if (!author.ok) return author;
  const device = deviceIdFromBytes(e.device);
  if (!device.ok) return device;
  const claim = { doc: e.doc, kind: e.kind, author: author.value, device: device.value, counter: e.counter, epoch: e.epoch };
  const allowed = ctx.authorize(claim);
  if (!allowed.ok) return allowed;
  const keys = ctx.keyring.keysFor(e.doc, e.epoch);
  if (keys.length === 0) return fail('unknown_epoch', `no key for epoch ${e.epoch}`);
  const ad = encodeEnvelopeHeader(e);
  let payload: Uint8Array | null = null;
  for (const key of keys) {
    payload = crypto.aeadDecrypt(e.body, ad, e.nonce, key.expose());
    if (payload !== null) break;
  }
  if (payload === null) return fail('decrypt_failed', 'envelope body does not decrypt under the epoch key');
  const last = envelopeLastCounter(e);
  let payloads: Uint8Array[] = [payload];
  if (e.version === ENVELOPE_RANGE_VERSION) {
    const list = decodeChangeList(payload, last - e.counter + 1);
    if (!list.ok) return list;
    payloads = list.value;
  }
  const stream = counterStream(e);
  const digest = toHex(e.signature.subarray(0, 16));
  const counter = checkRange(ctx.counters, stream, e.counter, last, digest);
  if (!counter.ok) return counter;
  let committed = false;
  const commit = (): Result<void> => {
    if (committed) return ok(undefined);
    const again = checkRange(ctx.counters, stream, e.counter, last, digest);
    if (!again.ok) return again;
    for (let c = e.counter; c <= last; c++) ctx.counters.record(stream, c, digest);
    committed = true;
    return ok(undefined);
  };
  const changes = payloads.map(
    (p, i): DocChange => ({
      doc: e.doc,
      kind,
      author: author.value,
      device: device.value,
      counter: e.counter + i,
      payload: p,
    }),
  );
  return ok({ change: changes[0]!, changes, kind: e.kind, epoch: e.epoch, gap: counter.value.gap, late: counter.value.late, commit });
}

/**
 * BATCH-5: the counters of a range, checked as one: every counter fresh (or filling a gap) →
 * accepted, with the gap and lateness of its first; every counter used → `replay`, unless a
 * recorded digest differs (`equivocation`); a range that mixes used and fresh counters was not
 * sealed by an honest sender (it never seals a counter twice) → `equivocation`.
 */
function checkRange(counters: CounterTracker, stream: string, from: number, to: number, digest: string): Result<{ gap: number; late: boolean }> {
  const first = counters.check(stream, from, digest);
  if (from === to) return first;
  let fresh = first.ok ? 1 : 0;
  let replay = !first.ok && first.error.code === 'replay' ? 1 : 0;
  if (!first.ok && first.error.code !== 'replay') return first;
  for (let c = from + 1; c <= to; c++) {
    const r = counters.check(stream, c, digest);
    if (r.ok) fresh++;
    else if (r.error.code === 'replay') replay++;
    else return r;
  }
  if (replay === 0) return first;
  if (fresh === 0) return fail('replay', 'range already used');
  return fail('equivocation', 'the range overlaps counters another envelope used');
}
