import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { asRecord, parseJsonSafe } from '@kith/core/protocol';
import type { Logger } from '../ops/logger.js';
import type { ClusterBus } from '../services/cluster-bus.js';

const DOC_CHANNEL = 'kith:doc';
const USER_CHANNEL = 'kith:user';
/** An ephemeral frame is at most a signal body (96 Ki chars) plus its envelope. */
const MAX_MESSAGE_CHARS = 256 * 1024;

export interface RedisClusterBus extends ClusterBus {
  ping(): Promise<void>;
}

/**
 * The cluster doorbell on Redis pub/sub (RLY-34). Fire and forget: while Redis is down, publishes
 * fail at once (no offline queue) and are counted in the logs; the cluster hub's sweep delivers
 * what the doorbells missed, from the database. Subscriptions are restored on reconnect by the
 * client. Messages from other instances are parsed like any input (bounded, typed) and one's
 * own messages are ignored. The URL is never logged.
 */
export async function createRedisClusterBus(url: string, logger: Logger): Promise<RedisClusterBus> {
  const me = randomBytes(8).toString('hex');
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
  await pub.connect();
  await sub.connect();

  const announceHandlers: ((doc: string, seq: number) => void)[] = [];
  const forwardHandlers: ((user: string, device: string | undefined, text: string) => void)[] = [];
  const parse = (message: string): Record<string, unknown> | undefined => {
    if (message.length > MAX_MESSAGE_CHARS) return undefined;
    const r = parseJsonSafe(message, { maxChars: MAX_MESSAGE_CHARS, maxDepth: 2 });
    const m = r.ok ? asRecord(r.value) : undefined;
    return m === undefined || m['i'] === me ? undefined : m;
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
    for (const h of forwardHandlers) h(m['u'], device, m['x']);
  });

  const publish = (channel: string, body: Record<string, unknown>): void => {
    if (!pub.isReady) return;
    pub.publish(channel, JSON.stringify({ i: me, ...body })).catch(onError('pub'));
  };

  return {
    announce: (doc, seq) => publish(DOC_CHANNEL, { d: doc, s: seq }),
    onAnnounce: (h) => void announceHandlers.push(h),
    forward: (user, device, text) => publish(USER_CHANNEL, device === undefined ? { u: user, x: text } : { u: user, v: device, x: text }),
    onForward: (h) => void forwardHandlers.push(h),
    async ping() {
      if (!pub.isReady) throw new Error('redis not connected');
      await pub.ping();
    },
    async close() {
      await Promise.allSettled([sub.close(), pub.close()]);
    },
  };
}
