import { resolve } from 'node:path';
import { parseRelayCli, relayHelp } from './cli/parse-relay-cli.js';
import { createJsonLogger } from './ops/logger.js';
import { startNodeRelay } from './server/node.js';
import { describeDatabaseUrl } from './store/postgres/database-url.js';

// The relay process (`kith-relay`): the only file that reads process.argv and process.env.
const parsed = parseRelayCli(process.argv.slice(2), process.env);
if (parsed.kind === 'help') {
  process.stdout.write(relayHelp());
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`kith-relay: ${parsed.message}\n\n${relayHelp()}`);
  process.exit(2);
}
const config = parsed.config;
const dataDir = resolve(config.dataDir);
const logger = createJsonLogger((line) => process.stdout.write(line));

process.on('unhandledRejection', (reason) => {
  logger.log('error', 'process.unhandled_rejection', { error: reason instanceof Error ? reason.name : 'unknown' });
});

const running = await startNodeRelay({
  port: config.port,
  hostname: config.host,
  dataDir,
  synchronous: config.synchronous,
  ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }),
  ...(config.redisUrl === undefined ? {} : { redisUrl: config.redisUrl }),
  logger,
  corsOrigin: config.corsOrigin,
  limits: {
    maxBlobBytes: config.maxBlobBytes,
    ...(config.connRate === undefined ? {} : { connRate: config.connRate, connBurst: config.connRate * 4 }),
    ...(config.accountRate === undefined ? {} : { accountRate: config.accountRate, accountBurst: config.accountRate * 5 }),
  },
}).catch((error: unknown) => {
  // A database that cannot be reached or migrated: one line (no URL, it may hold a password), exit 1.
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  process.stderr.write(`kith-relay: could not open the store: ${error instanceof Error ? error.message : 'unknown error'} ${code}\n`);
  process.exit(1);
});
logger.log('info', 'relay.listening', { url: running.url, port: running.port, durability: running.relay.ctx.store.durability });
const storage =
  config.databaseUrl === undefined
    ? `data: ${dataDir}, sqlite synchronous=${config.synchronous}`
    : `database: ${describeDatabaseUrl(config.databaseUrl)}${config.redisUrl === undefined ? '' : ', redis fan-out'}`;
process.stdout.write(`kith relay listening on ${running.url} (${storage})\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  logger.log('info', 'relay.signal', { signal });
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
