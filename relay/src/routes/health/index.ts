import { Hono } from 'hono';
import { formatMetrics } from '../../ops/metrics.js';
import type { Relay } from '../../relay.js';
import type { RelayEnv } from '../http.js';

/** OPS-1/2: `GET /health` (200 once ready, 503 while draining) and `GET /metrics` (Prometheus text). */
export function createHealthRoutes(relay: Relay): Hono<RelayEnv> {
  return new Hono<RelayEnv>()
    .get('/health', (c) =>
      relay.ready ? c.json({ ok: true, durability: relay.ctx.store.durability }) : c.json({ ok: false }, 503),
    )
    .get('/metrics', async (c) => {
      const bytes = { envelopes: await relay.ctx.store.docs.storedBytes(), blobs: await relay.ctx.store.blobs.storedBytes() };
      return c.text(formatMetrics(relay.metrics, bytes, relay.docs.committer.batches, relay.ctx.store.fsyncs?.() ?? 0), 200, { 'content-type': 'text/plain; version=0.0.4' });
    });
}
