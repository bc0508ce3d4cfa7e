// `pnpm bench` runs the cluster figures (run-cluster.ts) only where PostgreSQL and redis-server
// are installed; elsewhere it says so in one line and leaves the `cluster` section as it was.
import { postgresUnavailable, redisUnavailable } from '@kith/relay/testing';

const missing = [postgresUnavailable(), redisUnavailable()].filter((why) => why !== undefined);
if (missing.length > 0) process.stdout.write(`bench cluster: SKIPPED — ${missing.join('; ')}; docs/benchmarks.md § cluster left as it was\n`);
else await import('./run-cluster.js');
