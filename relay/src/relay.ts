import type { Clock } from '@kith/core';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from './config.js';
import { createJsonLogger, type Logger } from './ops/logger.js';
import { createRelayMetrics, type RelayMetrics } from './ops/metrics.js';
import { createRateLimiter, type SharedLimit } from './ops/rate-limit.js';
import { createAuthService, type AuthService } from './services/auth.js';
import { createCapabilityService, type CapabilityService } from './services/capabilities.js';
import type { RelayContext } from './services/context.js';
import { relayCryptoReady } from './services/crypto.js';
import { createDocumentService, type DocumentService } from './services/documents.js';
import type { ClusterBus } from './services/cluster-bus.js';
import { withClusterCapabilities } from './services/cluster-capabilities.js';
import { createClusterHub } from './services/cluster-hub.js';
import { createHub, type Hub } from './services/hub.js';
import type { RelayStore } from './store/ports.js';
import { createConnection } from './ws/connection.js';
import { CLOSE_CODES, type RelayConnection, type RelaySocket } from './ws/socket.js';

export interface RelayDeps {
  readonly store: RelayStore;
  /** Defaults to the system clock with real timers. */
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly limits?: Partial<RelayLimits>;
  /**
   * Several instances on one shared store (RLY-34): live entries, presence and signals reach
   * subscribers on every instance through this doorbell. Needs a store with `docs.heads`.
   */
  readonly cluster?: { readonly bus: ClusterBus; readonly sweepMs?: number };
}

/** The relay without HTTP: services, live connections, counters. `createRelayApp` wraps it. */
export interface Relay {
  readonly ctx: RelayContext;
  readonly auth: AuthService;
  readonly caps: CapabilityService;
  readonly docs: DocumentService;
  readonly hub: Hub;
  /** The cluster doorbell when this instance is one of several (RLY-34). */
  readonly bus: ClusterBus | undefined;
  readonly metrics: RelayMetrics;
  /** False once shutdown began: /health answers 503 and new sockets are refused. */
  readonly ready: boolean;
  /** Attaches a new socket; the returned connection gets its messages and its close. */
  connect(socket: RelaySocket): RelayConnection;
  /** OPS-5: refuses new work, closes sockets (1001), waits for queued writes, closes the store. */
  shutdown(): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

export async function createRelay(deps: RelayDeps): Promise<Relay> {
  await relayCryptoReady();
  const clock = deps.clock ?? systemClock;
  const limits: RelayLimits = { ...DEFAULT_RELAY_LIMITS, ...deps.limits };
  const now = (): number => clock.now();
  const counter = deps.cluster?.bus.counter;
  const shared = (name: string): SharedLimit | undefined => (counter === undefined ? undefined : { counter, name });
  const ctx: RelayContext = {
    store: deps.store,
    clock,
    limits,
    logger: deps.logger ?? createJsonLogger((l) => process.stdout.write(l)),
    metrics: createRelayMetrics(),
    // RLY-36: in a cluster whose bus has counters, these limits hold across instances.
    accountLimiter: createRateLimiter(limits.accountRate, limits.accountBurst, now, shared('account')),
    ipLimiter: createRateLimiter(limits.ipRate, limits.ipBurst, now, shared('ip')),
    peerLimiter: createRateLimiter(limits.peerRate, limits.peerBurst, now, shared('peer')),
  };
  const hubOptions = {
    maxEntriesPerFrame: limits.maxLiveFrameEntries,
    maxBytesPerFrame: limits.maxLiveFrameBytes,
    onDeliveryError: (error: unknown) => ctx.logger.log('error', 'hub.deliver_failed', { error: error instanceof Error ? error.name : 'unknown' }),
  };
  const heads = deps.store.docs.heads?.bind(deps.store.docs);
  if (deps.cluster !== undefined && heads === undefined) throw new Error('a cluster needs a shared store (docs.heads)');
  const cluster =
    deps.cluster === undefined || heads === undefined
      ? undefined
      : createClusterHub(createHub(hubOptions), {
          bus: deps.cluster.bus,
          read: (doc, after, limit) => deps.store.docs.read(doc, after, limit),
          heads,
          clock,
          logger: ctx.logger,
          ...(deps.cluster.sweepMs === undefined ? {} : { sweepMs: deps.cluster.sweepMs }),
        });
  const hub: Hub = cluster ?? createHub(hubOptions);
  const auth = createAuthService(ctx);
  const localCaps = createCapabilityService(ctx);
  // RLY-38: a rotation at any instance re-checks the live subscriptions at every instance.
  const caps = deps.cluster === undefined ? localCaps : withClusterCapabilities(localCaps, deps.cluster.bus);
  const docs = createDocumentService(ctx, caps, hub);
  const live = new Map<RelaySocket, RelayConnection>();
  let ready = true;

  return {
    ctx,
    auth,
    caps,
    docs,
    hub,
    bus: deps.cluster?.bus,
    metrics: ctx.metrics,
    get ready() {
      return ready;
    },
    connect(socket) {
      if (!ready) {
        socket.close(CLOSE_CODES.goingAway, 'shutting down');
        return { onMessage: () => undefined, onClose: () => undefined };
      }
      const conn = createConnection({ ctx, auth, caps, docs, hub }, socket);
      live.set(socket, conn);
      return {
        onMessage: (data) => conn.onMessage(data),
        onClose() {
          live.delete(socket);
          conn.onClose();
        },
      };
    },
    async shutdown() {
      if (!ready) return;
      ready = false;
      ctx.logger.log('info', 'relay.draining', { connections: live.size });
      // Let queued pushes commit and their acks go out before the sockets close.
      await docs.drain();
      await new Promise<void>((r) => setImmediate(r));
      for (const [socket, conn] of live) {
        socket.close(CLOSE_CODES.goingAway, 'shutting down');
        conn.onClose();
      }
      live.clear();
      await docs.drain();
      await cluster?.close();
      await deps.store.close();
      ctx.logger.log('info', 'relay.stopped', {});
    },
  };
}
