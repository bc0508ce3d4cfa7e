import { startLocalCluster } from './local-cluster.js';

// `pnpm --filter @kith/relay cluster [--instances 3] [--port 8787]`: a throwaway local cluster.
const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    process.stderr.write(`kith-cluster: ${name} expects a number\n`);
    process.exit(2);
  }
  return v;
};
const instances = flag('--instances', 3);
const port = flag('--port', 8787);
if (instances < 1 || instances > 26) {
  process.stderr.write('kith-cluster: --instances is 1..26\n');
  process.exit(2);
}

const cluster = await startLocalCluster({
  instances,
  port,
  ...(process.env['KITH_DATABASE_URL'] === undefined ? {} : { databaseUrl: process.env['KITH_DATABASE_URL'] }),
  ...(process.env['KITH_REDIS_URL'] === undefined ? {} : { redisUrl: process.env['KITH_REDIS_URL'] }),
}).catch((error: unknown) => {
  process.stderr.write(`kith-cluster: ${error instanceof Error ? error.message : 'failed to start'}\n`);
  process.exit(1);
});
for (const i of cluster.instances) process.stdout.write(`kith cluster instance ${i.name} listening on ${i.url} (log ${i.log})\n`);
process.stdout.write(`kith cluster ready: ${cluster.instances.length} relays on one PostgreSQL and one Redis; Ctrl-C stops everything\n`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('kith cluster stopping\n');
  cluster.stop().then(
    () => {
      process.stdout.write('kith cluster stopped\n');
      process.exit(0);
    },
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
