import { KithError, capabilityScopeOf, type ErrorCode, type Result } from '@kith/core';
import {
  BINARY_FRAMES,
  decodeBase64,
  decodeBinaryClientFrame,
  encodeBase64,
  encodeBinaryServerFrame,
  parseClientFrame,
  type ClientFrame,
  type ClientFrameLimits,
  type PresenceState,
  type ServerFrame,
} from '@kith/core/protocol';
import type { AuthService, Session } from '../services/auth.js';
import type { CapabilityService } from '../services/capabilities.js';
import type { DeliveryCount } from '../services/cluster-bus.js';
import { ANY_SCOPE } from '../services/cluster-capabilities.js';
import type { RelayContext } from '../services/context.js';
import type { DocumentService } from '../services/documents.js';
import type { Hub, HubPeer } from '../services/hub.js';
import { createLiveBatch, splitLiveEntries, type LiveEntry } from '../services/live-batch.js';
import { createRateLimiter } from '../ops/rate-limit.js';
import { asBinaryMessage } from './binary-message.js';
import { CLOSE_CODES, type RelayConnection, type RelaySocket } from './socket.js';

export interface ConnectionServices {
  readonly ctx: RelayContext;
  readonly auth: AuthService;
  readonly caps: CapabilityService;
  readonly docs: DocumentService;
  readonly hub: Hub;
}

interface Subscription {
  readonly id: number;
  readonly cap: string | undefined;
  ready: boolean;
  last: number;
  /** Live entries that arrived while not ready; bounded (L4): past the bound, re-pull instead. */
  buffered: LiveEntry[];
  overflow: boolean;
}

let connectionCounter = 0;

/**
 * One WebSocket connection's protocol logic (docs/PROTOCOL.md § Relay API). Every message is
 * parsed into a typed frame or answered with a coded `error` frame and counted; no handler
 * throws into the socket loop (RLY-2). Pushes keep their arrival order (RLY-9).
 */
export function createConnection(services: ConnectionServices, socket: RelaySocket): RelayConnection {
  const { ctx, auth, docs, hub } = services;
  const { limits, metrics, logger, clock } = ctx;
  const connId = `c${++connectionCounter}`;
  const frameLimits: ClientFrameLimits = {
    maxFrameChars: limits.maxFrameBytes,
    maxRecipients: limits.maxRecipients,
    maxSignalChars: limits.maxSignalChars,
    maxPullLimit: limits.maxPullLimit,
  };
  const connLimiter = createRateLimiter(limits.connRate, limits.connBurst, () => clock.now());
  let session: Session | undefined;
  let authPending = false;
  let strikes = 0;
  let closed = false;
  let pushLane: Promise<unknown> = Promise.resolve();
  /** RLY-39: the client asked for binary hot frames in `auth` and `authed` confirmed it. */
  let binary = false;
  const subs = new Map<string, Subscription>();
  let presence: PresenceState = 'offline';
  const watchers = new Set<string>();
  metrics.connections++;
  const stopWatchingCaps = services.caps.onChange(revalidate);

  const close = (code: number, reason: string): void => {
    if (closed) return;
    socket.close(code, reason);
    cleanup();
  };

  const sendText = (text: string | Uint8Array): void => {
    if (closed) return;
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      metrics.reject('slow_consumer');
      close(CLOSE_CODES.tryAgainLater, 'slow consumer');
      return;
    }
    metrics.framesOut++;
    socket.send(text);
  };
  /** M3: signals and presence are dropped, never buffered without bound, for a slow reader. */
  const sendEphemeral = (text: string): boolean => {
    if (closed) return false;
    if (socket.bufferedAmount > limits.maxEphemeralBufferedBytes) {
      metrics.reject('ephemeral_dropped');
      return false;
    }
    metrics.framesOut++;
    socket.send(text);
    return true;
  };
  const send = (frame: ServerFrame): void => sendText(JSON.stringify(frame));
  /** M3: tokens for ephemeral frames from this account to `recipient`. */
  const takePeer = (from: string, recipient: string, chars: number): boolean =>
    ctx.peerLimiter.take(`${from}|${recipient}`, 1 + Math.floor(chars / 8192));
  const reject = (id: number | undefined, code: ErrorCode, message: string): void => {
    metrics.reject(code);
    send(id === undefined ? { v: 1, t: 'error', code, message } : { v: 1, t: 'error', id, code, message });
  };
  const replyError = (id: number, r: Result<unknown>): boolean => {
    if (r.ok) return false;
    reject(id, r.error.code, r.error.message.replace(/^[a-z_]+: /, ''));
    return true;
  };

  const peer: HubPeer = {
    get user() {
      return session?.userId ?? '';
    },
    get device() {
      return session?.device ?? '';
    },
    onEntries(batch) {
      const sub = subs.get(batch.doc);
      if (sub === undefined) return;
      if (!sub.ready) {
        for (const e of batch.entries) {
          if (sub.overflow) return;
          if (sub.buffered.length >= limits.maxPullLimit) {
            // L4: stop buffering; the subscription re-pulls from `last` before it goes live.
            sub.overflow = true;
            sub.buffered = [];
            metrics.reject('subscription_overflow');
            return;
          }
          sub.buffered.push(e);
        }
        return;
      }
      const { entries } = batch;
      if (entries[0]!.seq > sub.last) {
        // The common case: all new, so the frame everyone else gets (RLY-24).
        sub.last = entries.at(-1)!.seq;
        return sendText(binary ? batch.binaryFrameFor(sub.id) : batch.frameFor(sub.id));
      }
      const fresh = entries.filter((e) => e.seq > sub.last);
      if (fresh.length === 0) return;
      sub.last = fresh.at(-1)!.seq;
      const part = createLiveBatch(batch.doc, fresh);
      sendText(binary ? part.binaryFrameFor(sub.id) : part.frameFor(sub.id));
    },
    sendEphemeral,
  };

  const cancelDeadline = clock.setTimer(limits.authDeadlineMs, () => {
    if (session === undefined && !closed) {
      metrics.reject('auth_deadline');
      close(CLOSE_CODES.authDeadline, 'authentication deadline');
    }
  });
  send({ v: 1, t: 'hello', authDeadlineMs: limits.authDeadlineMs, maxFrameBytes: limits.maxFrameBytes });

  function cleanup(): void {
    if (closed) return;
    closed = true;
    cancelDeadline();
    stopWatchingCaps();
    metrics.connections--;
    for (const doc of subs.keys()) hub.unsubscribe(doc, peer);
    subs.clear();
    if (session !== undefined) {
      hub.removePeer(peer);
      if (presence !== 'offline') {
        const text = JSON.stringify({ v: 1, t: 'presence', from: { user: session.userId, device: session.device }, state: 'offline' } satisfies ServerFrame);
        for (const u of watchers) void hub.deliverToUser(u, undefined, text);
      }
      logger.log('info', 'ws.closed', { conn: connId, user: session.userId });
    }
  }

  async function handleAuth(frame: Extract<ClientFrame, { t: 'auth' }>): Promise<void> {
    if (session !== undefined || authPending) return reject(frame.id, 'invalid_argument', 'already authenticated');
    authPending = true;
    const r = await auth.authenticate(frame.token);
    authPending = false;
    if (closed) return;
    if (!r.ok) {
      reject(frame.id, 'unauthorized', 'invalid session');
      close(CLOSE_CODES.policy, 'unauthorized');
      return;
    }
    session = r.value;
    cancelDeadline();
    hub.addPeer(peer);
    logger.log('info', 'ws.authed', { conn: connId, user: session.userId });
    const authed = { v: 1, t: 'authed', id: frame.id, user: session.userId, device: session.device, expiresAt: session.expiresAt } as const;
    send(frame.frames === BINARY_FRAMES ? { ...authed, frames: BINARY_FRAMES } : authed);
    // After the `authed` text: the client switches when it reads it (RLY-39).
    binary = frame.frames === BINARY_FRAMES;
  }

  function handlePush(s: Session, frame: Extract<ClientFrame, { t: 'push' }>): void {
    const bytes = decodeBase64(frame.env);
    if (bytes === undefined) return reject(frame.id, 'malformed', 'env is not base64');
    pushBytes(s, frame.id, bytes, frame.cap, frame.supersedes);
  }

  /** A push with its envelope as bytes (a JSON push decoded, or a binary one: RLY-41). */
  function pushBytes(s: Session, id: number, bytes: Uint8Array, cap: string | undefined, supersedes: number | undefined): void {
    const frame = { id, cap, supersedes };
    // M7: any throw in the push path becomes `storage_failed` for this frame id, never silence.
    const result = docs.push(s, bytes, { cap: frame.cap, supersedes: frame.supersedes }).catch((error: unknown): Result<never> => {
      logger.log('error', 'ws.push_failed', { conn: connId, error: error instanceof Error ? error.name : 'unknown' });
      return { ok: false, error: new KithError('storage_failed', 'the envelope could not be stored') };
    });
    pushLane = pushLane.then(() => result);
    void result.then((r) => {
      if (replyError(frame.id, r) || !r.ok) return;
      const ack = { v: 1, t: 'ack', id: frame.id, doc: r.value.doc, seq: r.value.seq, duplicate: r.value.duplicate } as const;
      if (binary) sendText(encodeBinaryServerFrame(ack));
      else send(ack);
    });
  }

  async function handlePull(frame: Extract<ClientFrame, { t: 'pull' }>): Promise<void> {
    const r = await docs.pull(frame.doc, frame.cap, frame.after, frame.limit);
    if (replyError(frame.id, r) || !r.ok) return;
    sendEntries(frame.id, frame.doc, r.value.entries, r.value.next, r.value.more);
  }

  /** An `entries` reply: binary on a connection that negotiated it (RLY-44), else JSON with base64. */
  function sendEntries(id: number, doc: string, list: readonly LiveEntry[], next: number, more: boolean): void {
    if (binary) return sendText(encodeBinaryServerFrame({ t: 'entries', id, doc, entries: list.map((e) => ({ seq: e.seq, env: e.bytes })), next, more }));
    send({ v: 1, t: 'entries', id, doc, entries: list.map((e) => ({ seq: e.seq, env: encodeBase64(e.bytes) })), next, more });
  }

  /**
   * Sends the backlog of `doc` after `sub.last` (re-pulling if live entries overflowed the buffer
   * meanwhile), then the buffered live entries; false if the read was refused (sub dropped).
   */
  async function catchUp(doc: string, sub: Subscription): Promise<boolean> {
    for (;;) {
      const r = await docs.pull(doc, sub.cap, sub.last, limits.maxPullLimit);
      if (closed || subs.get(doc) !== sub) return false;
      if (!r.ok) {
        subs.delete(doc);
        hub.unsubscribe(doc, peer);
        replyError(sub.id, r);
        return false;
      }
      if (r.value.entries.length > 0) {
        sub.last = r.value.next;
        sendEntries(sub.id, doc, r.value.entries, r.value.next, r.value.more);
      }
      if (r.value.more) continue;
      if (r.value.retired) {
        // CAP-5: a rotated-out token got what was stored before the rotation; it never goes live.
        subs.delete(doc);
        hub.unsubscribe(doc, peer);
        reject(sub.id, 'forbidden', 'read capability rotated');
        return false;
      }
      if (!sub.overflow) break;
      sub.overflow = false;
      sub.buffered = [];
    }
    sub.ready = true;
    const buffered = sub.buffered.sort((a, b) => a.seq - b.seq);
    sub.buffered = [];
    for (const part of splitLiveEntries(buffered, limits.maxLiveFrameEntries, limits.maxLiveFrameBytes)) peer.onEntries(createLiveBatch(doc, part));
    return true;
  }

  async function handleSub(frame: Extract<ClientFrame, { t: 'sub' }>): Promise<void> {
    if (subs.has(frame.doc)) return reject(frame.id, 'invalid_argument', 'already subscribed');
    if (subs.size >= limits.maxSubscriptionsPerConnection) return reject(frame.id, 'rate_limited', 'too many subscriptions');
    const sub: Subscription = { id: frame.id, cap: frame.cap, ready: false, last: frame.after, buffered: [], overflow: false };
    subs.set(frame.doc, sub);
    try {
      await hub.subscribe(frame.doc, peer);
    } catch (error) {
      subs.delete(frame.doc);
      hub.unsubscribe(frame.doc, peer);
      throw error;
    }
    // Backlog first, then whatever arrived meanwhile, in seq order without gaps or repeats.
    if (await catchUp(frame.doc, sub)) send({ v: 1, t: 'ok', id: frame.id });
  }

  /**
   * L2: a new capability version: every live subscription of the scope re-checks its token
   * (every scope for `ANY_SCOPE`: a cluster bus that may have lost announcements, RLY-38).
   */
  function revalidate(scope: string): void {
    for (const [doc, sub] of subs) {
      if (!sub.ready || (scope !== ANY_SCOPE && capabilityScopeOf(doc) !== scope)) continue;
      sub.ready = false;
      catchUp(doc, sub).catch((error: unknown) => {
        logger.log('error', 'ws.revalidate_failed', { conn: connId, error: error instanceof Error ? error.name : 'unknown' });
        subs.delete(doc);
        hub.unsubscribe(doc, peer);
        reject(sub.id, 'storage_failed', 'subscription dropped');
      });
    }
  }
  async function handlePresence(s: Session, frame: Extract<ClientFrame, { t: 'presence' }>): Promise<void> {
    presence = frame.state;
    const text = JSON.stringify({ v: 1, t: 'presence', from: { user: s.userId, device: s.device }, state: frame.state } satisfies ServerFrame);
    let dropped = 0;
    const sent: Promise<DeliveryCount>[] = [];
    for (const u of frame.to) {
      if (watchers.size < limits.maxRecipients * 4) watchers.add(u);
      if (!takePeer(s.userId, u, text.length)) {
        dropped++;
        continue;
      }
      sent.push(Promise.resolve(hub.deliverToUser(u, undefined, text)));
    }
    // In a cluster the counts come from every instance (RLY-37).
    for (const d of await Promise.all(sent)) dropped += d.online - d.delivered;
    if (dropped > 0) return reject(frame.id, 'rate_limited', `presence dropped for ${dropped} recipient(s)`);
    send({ v: 1, t: 'ok', id: frame.id });
  }

  async function handleSignal(s: Session, frame: Extract<ClientFrame, { t: 'signal' }>): Promise<void> {
    const text = JSON.stringify({ v: 1, t: 'signal', from: { user: s.userId, device: s.device }, kind: frame.kind, body: frame.body } satisfies ServerFrame);
    if (!takePeer(s.userId, frame.to.user, text.length)) {
      metrics.reject('signal_dropped');
      return reject(frame.id, 'rate_limited', 'too many signals to this recipient');
    }
    const d = await hub.deliverToUser(frame.to.user, frame.to.device, text);
    if (d.online === 0) return reject(frame.id, 'offline', 'recipient not connected');
    if (d.delivered === 0) return reject(frame.id, 'rate_limited', 'recipient is not reading; signal dropped');
    send({ v: 1, t: 'ok', id: frame.id });
  }

  /** The checks every request after `auth` passes: a live session, not expired, within the account rate. */
  function sessionFor(id: number): Session | undefined {
    const s = session;
    if (s === undefined) return void reject(id, 'unauthorized', 'authenticate first');
    if (s.expiresAt <= clock.now()) {
      reject(id, 'unauthorized', 'session expired');
      close(CLOSE_CODES.sessionExpired, 'session expired');
      return undefined;
    }
    if (!ctx.accountLimiter.take(s.userId)) return void reject(id, 'rate_limited', 'account rate limit');
    return s;
  }

  async function dispatch(frame: ClientFrame): Promise<void> {
    if (frame.t === 'auth') return handleAuth(frame);
    if (frame.t === 'ping') return send({ v: 1, t: 'pong', id: frame.id });
    const s = sessionFor(frame.id);
    if (s === undefined) return;
    switch (frame.t) {
      case 'push':
        return handlePush(s, frame);
      case 'pull':
        return handlePull(frame);
      case 'sub':
        return handleSub(frame);
      case 'unsub':
        subs.delete(frame.doc);
        hub.unsubscribe(frame.doc, peer);
        return send({ v: 1, t: 'ok', id: frame.id });
      case 'presence':
        return handlePresence(s, frame);
      case 'signal':
        return handleSignal(s, frame);
    }
  }

  return {
    onMessage(data) {
      if (closed) return;
      metrics.framesIn++;
      // RLY-39/45: a binary message is a hot frame only on a connection that negotiated them.
      const bin = binary ? asBinaryMessage(data) : undefined;
      const parsed = bin === undefined ? parseClientFrame(data, frameLimits) : decodeBinaryClientFrame(bin, limits.maxFrameBytes);
      if (!connLimiter.take(connId)) {
        // Over the per-connection rate: answer with the frame's id (the client retries that
        // request, review H1), and close a client that keeps ignoring it.
        if (++strikes > limits.connBurst) return close(CLOSE_CODES.rateLimited, 'rate limited');
        return reject(parsed.ok ? parsed.value.id : undefined, 'rate_limited', 'connection rate limit');
      }
      strikes = 0;
      if (!parsed.ok) return reject(undefined, parsed.error.code, parsed.error.message.replace(/^[a-z_]+: /, ''));
      const frame = parsed.value;
      if (!('v' in frame)) {
        // A binary push (RLY-41): the envelope is already bytes.
        const s = sessionFor(frame.id);
        if (s !== undefined) pushBytes(s, frame.id, frame.env, frame.cap, frame.supersedes);
        return;
      }
      dispatch(frame).catch((error: unknown) => {
        logger.log('error', 'ws.handler_failed', { conn: connId, frame: frame.t, error: error instanceof Error ? error.name : 'unknown' });
        reject(frame.id, 'storage_failed', 'internal error');
      });
    },
    onClose() {
      cleanup();
    },
  };
}
