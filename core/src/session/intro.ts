import { fail, ok, type Result } from '../errors.js';
import { formatUuid, parseDocId, type DocId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import { decodeEnvelope, type EnvelopeHeader } from '../protocol/envelope.js';
import { decodePublicIdentity, deviceIdToBytes, encodePublicIdentity, type Identity, type PublicIdentity } from '../crypto/identity.js';
import { signEnvelope } from '../crypto/envelope-seal.js';
import { verifyEnvelope } from '../crypto/envelope-open.js';
import { decodeBase64 as fromBase64, encodeBase64 as toBase64 } from '../protocol/base64.js';

/**
 * Introductions (SYNC-4): how a user learns a document exists and gets what it needs to read
 * it — the relay read token of its capability scope and its key (or a key envelope). An intro
 * is an envelope on the recipient's inbox document `members:<inboxId(user)>` (a relay log only
 * the recipient's devices can read: they hold its read token), body = a sealed box to the
 * recipient's X25519 key holding JSON, signed by the sender's account key (ENV-4).
 */
export interface IntroGrant {
  /** A relay capability scope: `conv:<id>`, `profile:<user>`, `contact:<a>:<b>`. */
  readonly scope: string;
  readonly token?: string;
  /** A raw epoch key (direct conversations, contact documents, profiles). */
  readonly key?: Uint8Array;
  readonly epoch?: number;
  /** For a direct conversation sent to my own other devices: the other user of the pair. */
  readonly peer?: UserId;
}

export interface Intro {
  readonly from: PublicIdentity;
  readonly grants: readonly IntroGrant[];
  /** Key envelopes (KEY-4) of group epochs. */
  readonly keyEnvelopes: readonly Uint8Array[];
}

const enc = new TextEncoder();

/** The inbox conversation id of a user: a UUIDv4 layout of BLAKE2b("kith/v1/inbox" ‖ 0 ‖ user). */
export function inboxDocId(crypto: CryptoPort, user: UserId): DocId {
  const h = crypto.hash(enc.encode(`kith/v1/inbox\0${user}`), 16);
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  return parseDocId(`members:${formatUuid(h)}`);
}

export function sealIntro(crypto: CryptoPort, identity: Identity, to: { user: UserId; boxKey: Uint8Array }, intro: Omit<Intro, 'from'>, counter: number): Uint8Array {
  const json = JSON.stringify({
    v: 1,
    from: toBase64(encodePublicIdentity(identity.public)),
    grants: intro.grants.map((g) => ({ scope: g.scope, ...(g.token === undefined ? {} : { token: g.token }), ...(g.key === undefined ? {} : { key: toBase64(g.key), epoch: g.epoch ?? 0 }), ...(g.peer === undefined ? {} : { peer: g.peer }) })),
    keys: intro.keyEnvelopes.map(toBase64),
  });
  const body = crypto.sealBox(enc.encode(json), to.boxKey);
  const header: EnvelopeHeader = {
    version: 1,
    kind: 'member',
    doc: inboxDocId(crypto, to.user),
    epoch: 0,
    author: identity.public.signingKey,
    device: deviceIdToBytes(identity.device),
    counter,
  };
  return signEnvelope(identity, header, new Uint8Array(24), body);
}

const SCOPE_RE = /^(conv|profile|contact):[0-9a-f-]{36}(:[0-9a-f-]{36})?$/;

/** Opens an intro addressed to `identity`: signature, sealed box, the sender's identity bound to the signer. */
export function openIntro(crypto: CryptoPort, identity: Identity, bytes: Uint8Array): Result<Intro> {
  const d = decodeEnvelope(bytes, 1024 * 1024);
  if (!d.ok) return d;
  const author = verifyEnvelope(crypto, d.value);
  if (!author.ok) return author;
  const plain = identity.openSealedBox(d.value.body);
  if (plain === null) return fail('decrypt_failed', 'intro does not open');
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>;
  } catch (e) {
    return fail('malformed', 'intro is not JSON', e);
  }
  if (o['v'] !== 1 || typeof o['from'] !== 'string' || !Array.isArray(o['grants']) || !Array.isArray(o['keys'])) return fail('malformed', 'intro shape');
  const fromBytes = fromBase64(o['from']);
  if (fromBytes === undefined) return fail('malformed', 'intro sender');
  const from = decodePublicIdentity(crypto, fromBytes);
  if (!from.ok) return from;
  if (from.value.userId !== author.value) return fail('unauthorized', 'intro signed by someone else than its sender');
  const grants: IntroGrant[] = [];
  for (const g of (o['grants'] as unknown[]).slice(0, 256)) {
    const r = g as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object' || typeof r['scope'] !== 'string' || !SCOPE_RE.test(r['scope'])) return fail('malformed', 'intro grant');
    const token = typeof r['token'] === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(r['token']) ? r['token'] : undefined;
    const key = typeof r['key'] === 'string' ? fromBase64(r['key']) : undefined;
    if (key !== undefined && key.length !== 32) return fail('malformed', 'intro key');
    const epoch = typeof r['epoch'] === 'number' && Number.isSafeInteger(r['epoch']) && r['epoch'] >= 0 ? r['epoch'] : 0;
    const peer = typeof r['peer'] === 'string' && /^[0-9a-f-]{36}$/.test(r['peer']) ? (r['peer'] as UserId) : undefined;
    grants.push({ scope: r['scope'], ...(token === undefined ? {} : { token }), ...(key === undefined ? {} : { key, epoch }), ...(peer === undefined ? {} : { peer }) });
  }
  const keyEnvelopes: Uint8Array[] = [];
  for (const k of (o['keys'] as unknown[]).slice(0, 64)) {
    const b = typeof k === 'string' ? fromBase64(k) : undefined;
    if (b === undefined) return fail('malformed', 'intro key envelope');
    keyEnvelopes.push(b);
  }
  return ok({ from: from.value, grants, keyEnvelopes });
}
