import { Hono } from 'hono';
import { formatMetrics } from '../../ops/metrics.js';
import type { Relay } from '../../relay.js';
import type { RelayEnv } from '../http.js';

/** OPS-1/2: `GET /health` (200 once ready, 503 while draining or while the database is unreachable) and `GET /metrics` (Prometheus text). */
export function createHealthRoutes(relay: Relay): Hono<RelayEnv> {
  return new Hono<RelayEnv>()
    .get('/health', async (c) => {
      if (!relay.ready) return c.json({ ok: false }, 503);
      const { store } = relay.ctx;
      const probe = (ping: (() => Promise<void>) | undefined): Promise<'ok' | 'unreachable' | undefined> =>
        ping === undefined
          ? Promise.resolve(undefined)
          : ping().then(
              () => 'ok' as const,
              () => 'unreachable' as const,
            );
      const [database, redis] = await Promise.all([probe(store.ping?.bind(store)), probe(relay.bus?.ping?.bind(relay.bus))]);
      // RLY-33: a relay on PostgreSQL is healthy only while its database answers. Redis down
      // costs latency, not data (RLY-34): reported, but the instance stays in service.
      const ok = database !== 'unreachable';
      return c.json(
        { ok, durability: store.durability, ...(database === undefined ? {} : { database }), ...(redis === undefined ? {} : { redis }) },
        ok ? 200 : 503,
      );
    })
    .get('/metrics', async (c) => {
      const docs = relay.ctx.store.docs;
      const bytes = { envelopes: await docs.storedBytes(), blobs: await relay.ctx.store.blobs.storedBytes(), compacted: await docs.compactedBytes() };
      return c.text(formatMetrics(relay.metrics, bytes, relay.docs.committer.batches, relay.ctx.store.fsyncs?.() ?? 0), 200, { 'content-type': 'text/plain; version=0.0.4' });
    });
}
