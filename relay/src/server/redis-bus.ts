import { createHash, randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { asRecord, parseJsonSafe } from '@kith/core/protocol';
import type { Logger } from '../ops/logger.js';
import type { SharedCounter } from '../ops/rate-limit.js';
import type { ClusterBus, DeliveryCount } from '../services/cluster-bus.js';

const DOC_CHANNEL = 'kith:doc';
const USER_CHANNEL = 'kith:user';
const CAP_CHANNEL = 'kith:cap';
const HELLO_CHANNEL = 'kith:hello';
const replyChannel = (instance: string): string => `kith:reply:${instance}`;
/** An ephemeral frame is at most a signal body (96 Ki chars) plus its envelope. */
const MAX_MESSAGE_CHARS = 256 * 1024;

export interface RedisBusOptions {
  /** How often an instance says it is alive (default 1 s); silent for 3.5× this, it is gone. */
  readonly helloMs?: number;
  /** How long `deliver` waits for the other instances' counts (default 1 s). */
  readonly deliverTimeoutMs?: number;
}

export interface RedisClusterBus extends ClusterBus {
  ping(): Promise<void>;
  readonly counter: SharedCounter;
}

interface PendingDelivery {
  readonly waiting: Set<string>;
  online: number;
  delivered: number;
  readonly done: () => void;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < 1_000_000;

/**
 * The cluster bus on Redis (RLY-34, RLY-36..38). Doorbells, capability changes and ephemeral
 * frames go over pub/sub, fire and forget: while Redis is down, publishes fail at once (no
 * offline queue) and are counted in the logs; the cluster hub's sweep delivers what the
 * doorbells missed, from the database; presence, typing and signals sent meanwhile are lost
 * (ephemeral, the sender's next one replaces them). Each instance announces itself every
 * `helloMs`; a `deliver` waits for the answers of the instances it has heard from (each answers
 * with its local device counts on a reply channel of the sender), at most `deliverTimeoutMs`.
 * Rate-limit counters are `INCRBY` + `PEXPIRE` on keys hashed so Redis never holds a user id or an
 * address in the clear. Messages from other instances are parsed like any input (bounded, typed)
 * and one's own are ignored. The URL is never logged.
 */
export async function createRedisClusterBus(url: string, logger: Logger, busOptions: RedisBusOptions = {}): Promise<RedisClusterBus> {
  const me = randomBytes(8).toString('hex');
  const helloMs = busOptions.helloMs ?? 1000;
  const deliverTimeoutMs = busOptions.deliverTimeoutMs ?? 1000;
  const options = {
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000), connectTimeout: 5000 },
  };
  const pub = createClient(options);
  const sub = createClient(options);
  let lastError = '';
  const onError = (role: string) => (error: unknown) => {
    const name = error instanceof Error ? error.name : 'unknown';
    // One line per change of state, not one per reconnect attempt.
    if (name !== lastError) logger.log('warn', 'redis.error', { role, error: name });
    lastError = name;
  };
  pub.on('error', onError('pub'));
  sub.on('error', onError('sub'));
  pub.on('ready', () => (lastError = ''));
  const resyncHandlers: (() => void)[] = [];
  let subReadyOnce = false;
  sub.on('ready', () => {
    // After the first connect, `ready` means a reconnect: pub/sub messages may have been lost.
    if (subReadyOnce) for (const h of resyncHandlers) h();
    subReadyOnce = true;
  });
  await pub.connect();
  await sub.connect();

  const announceHandlers: ((doc: string, seq: number) => void)[] = [];
  const deliverHandlers: ((user: string, device: string | undefined, text: string) => DeliveryCount)[] = [];
  const capabilityHandlers: ((scope: string) => void)[] = [];
  /** Other instances heard from, with when. */
  const peers = new Map<string, number>();
  const pending = new Map<string, PendingDelivery>();
  let requests = 0;

  const publish = (channel: string, body: Record<string, unknown>): void => {
    if (!pub.isReady) return;
    pub.publish(channel, JSON.stringify({ i: me, ...body })).catch(onError('pub'));
  };
  const parse = (message: string): (Record<string, unknown> & { i: string }) | undefined => {
    if (message.length > MAX_MESSAGE_CHARS) return undefined;
    const r = parseJsonSafe(message, { maxChars: MAX_MESSAGE_CHARS, maxDepth: 2 });
    const m = r.ok ? asRecord(r.value) : undefined;
    if (m === undefined || typeof m['i'] !== 'string' || m['i'] === me || m['i'].length > 32) return undefined;
    const known = peers.has(m['i']);
    peers.set(m['i'], Date.now());
    // A newcomer hears from us at once, not at our next hello.
    if (!known) publish(HELLO_CHANNEL, {});
    return m as Record<string, unknown> & { i: string };
  };

  await sub.subscribe(DOC_CHANNEL, (message) => {
    const m = parse(message);
    if (m === undefined || typeof m['d'] !== 'string' || !Number.isSafeInteger(m['s'])) return;
    for (const h of announceHandlers) h(m['d'], m['s'] as number);
  });
  await sub.subscribe(USER_CHANNEL, (message) => {
    const m = parse(message);
    if (m === undefined || typeof m['u'] !== 'string' || typeof m['x'] !== 'string') return;
    const device = typeof m['v'] === 'string' ? m['v'] : undefined;
    let online = 0;
    let delivered = 0;
    for (const h of deliverHandlers) {
      const d = h(m['u'], device, m['x']);
      online += d.online;
      delivered += d.delivered;
    }
    if (typeof m['r'] === 'string' && m['r'].length <= 40) publish(replyChannel(m['i']), { r: m['r'], o: online, d: delivered });
  });
  await sub.subscribe(replyChannel(me), (message) => {
    const m = parse(message);
    if (m === undefined || typeof m['r'] !== 'string' || !isCount(m['o']) || !isCount(m['d'])) return;
    const p = pending.get(m['r']);
    if (p === undefined) return;
    p.online += m['o'];
    p.delivered += Math.min(m['d'], m['o']);
    p.waiting.delete(m['i']);
    if (p.waiting.size === 0) p.done();
  });
  await sub.subscribe(CAP_CHANNEL, (message) => {
    const m = parse(message);
    if (m === undefined || typeof m['c'] !== 'string') return;
    for (const h of capabilityHandlers) h(m['c']);
  });
  await sub.subscribe(HELLO_CHANNEL, (message) => void parse(message));

  const hello = setInterval(() => {
    const cutoff = Date.now() - 3.5 * helloMs;
    for (const [id, at] of peers) if (at < cutoff) peers.delete(id);
    publish(HELLO_CHANNEL, {});
  }, helloMs);
  hello.unref();
  publish(HELLO_CHANNEL, {});

  const counter: SharedCounter = {
    async add(key, amount, ttlMs) {
      if (!pub.isReady) throw new Error('redis not connected');
      const k = `kith:rl:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
      const [total] = await pub.multi().incrBy(k, amount).pExpire(k, ttlMs).exec();
      if (typeof total !== 'number') throw new Error('redis: unexpected INCRBY reply');
      return total;
    },
  };

  return {
    announce: (doc, seq) => publish(DOC_CHANNEL, { d: doc, s: seq }),
    onAnnounce: (h) => void announceHandlers.push(h),
    deliver(user, device, text) {
      const waiting = new Set(peers.keys());
      if (waiting.size === 0 || !pub.isReady) {
        // Nobody else is known (or Redis is down): still published, for an instance just started.
        publish(USER_CHANNEL, device === undefined ? { u: user, x: text } : { u: user, v: device, x: text });
        return Promise.resolve({ online: 0, delivered: 0 });
      }
      const r = `${me}.${++requests}`;
      return new Promise<DeliveryCount>((resolve) => {
        const p: PendingDelivery = {
          waiting,
          online: 0,
          delivered: 0,
          done() {
            clearTimeout(timer);
            pending.delete(r);
            resolve({ online: p.online, delivered: p.delivered });
          },
        };
        const timer = setTimeout(() => p.done(), deliverTimeoutMs);
        timer.unref();
        pending.set(r, p);
        publish(USER_CHANNEL, device === undefined ? { r, u: user, x: text } : { r, u: user, v: device, x: text });
      });
    },
    onDeliver: (h) => void deliverHandlers.push(h),
    announceCapability: (scope) => publish(CAP_CHANNEL, { c: scope }),
    onCapability: (h) => void capabilityHandlers.push(h),
    onResync: (h) => void resyncHandlers.push(h),
    counter,
    async ping() {
      if (!pub.isReady) throw new Error('redis not connected');
      await pub.ping();
    },
    async close() {
      clearInterval(hello);
      for (const p of [...pending.values()]) p.done();
      // A graceful close waits for Redis; one that is down (or never answers) is destroyed.
      const graceful = (c: typeof pub): Promise<void> => {
        if (!c.isReady) {
          c.destroy();
          return Promise.resolve();
        }
        return new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            c.destroy();
            resolve();
          }, 1000);
          t.unref();
          c.close().then(
            () => (clearTimeout(t), resolve()),
            () => (clearTimeout(t), resolve()),
          );
        });
      };
      await Promise.all([graceful(sub), graceful(pub)]);
    },
  };
}
