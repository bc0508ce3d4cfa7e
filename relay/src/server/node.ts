import type { AddressInfo } from 'node:net';
import { serve, upgradeWebSocket, type WebSocketServerLike } from '@hono/node-server';
import type { UpgradeWebSocket } from 'hono/ws';
import { WebSocketServer } from 'ws';
import { createRelayApp } from '../app.js';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from '../config.js';
import type { Logger } from '../ops/logger.js';
import type { Relay } from '../relay.js';
import { createPostgresRelayStore } from '../store/postgres/index.js';
import { createSqliteRelayStore } from '../store/sqlite/index.js';
import { createJsonLogger } from '../ops/logger.js';
import { createRedisClusterBus } from './redis-bus.js';

export interface NodeRelayOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly hostname?: string;
  readonly dataDir: string;
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** PostgreSQL shared by every instance of a cluster (RLY-33); without it, SQLite under `dataDir`. */
  readonly databaseUrl?: string;
  /** Redis doorbell between instances on the same database (RLY-34). */
  readonly redisUrl?: string;
  readonly limits?: Partial<RelayLimits>;
  readonly logger?: Logger;
  readonly corsOrigin?: string | string[];
}

export interface RunningRelay {
  readonly url: string;
  readonly port: number;
  readonly relay: Relay;
  /** Graceful: drains queued writes, closes sockets and the store, then the listener. */
  close(): Promise<void>;
}

/**
 * The only place that opens real sockets: HTTP + WebSocket on Node, with PostgreSQL when a
 * database URL is given (migrations applied before listening) and embedded SQLite otherwise.
 */
export async function startNodeRelay(options: NodeRelayOptions): Promise<RunningRelay> {
  const store =
    options.databaseUrl === undefined
      ? createSqliteRelayStore({ dataDir: options.dataDir, synchronous: options.synchronous ?? 'FULL' })
      : await createPostgresRelayStore({ url: options.databaseUrl });
  const logger = options.logger ?? createJsonLogger((l) => process.stdout.write(l));
  const bus =
    options.redisUrl === undefined
      ? undefined
      : await createRedisClusterBus(options.redisUrl, logger).catch(async (error: unknown) => {
          await store.close();
          throw error;
        });
  const maxFrameBytes = options.limits?.maxFrameBytes ?? DEFAULT_RELAY_LIMITS.maxFrameBytes;
  const { app, relay } = await createRelayApp({
    store,
    logger,
    ...(bus === undefined ? {} : { cluster: { bus } }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.corsOrigin === undefined ? {} : { corsOrigin: options.corsOrigin }),
    upgradeWebSocket: upgradeWebSocket as UpgradeWebSocket<unknown>,
  });
  // OPS-4: the frame limit is ours, not ws's 100 MiB default.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  const hostname = options.hostname ?? '0.0.0.0';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname, websocket: { server: wss as unknown as WebSocketServerLike } }, (info: AddressInfo) =>
      resolve({ server: s, port: info.port }),
    );
    s.once('error', reject);
  });
  const shownHost = hostname === '0.0.0.0' ? 'localhost' : hostname;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    relay,
    async close() {
      await relay.shutdown();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}
