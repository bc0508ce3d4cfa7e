import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { createJsonLogger } from './ops/logger.js';
import { startNodeRelay } from './server/node.js';

const HELP = `kith relay — stores and forwards ciphertext

  --port <n>          PORT           listen port (default 8787)
  --host <addr>       HOST           listen address (default 0.0.0.0)
  --data-dir <dir>    KITH_DATA_DIR  SQLite database and blob files (default ./data)
  --synchronous <m>   KITH_SYNCHRONOUS  FULL (default) or NORMAL, see docs/operations.md
  --cors-origin <o>   KITH_CORS_ORIGIN  allowed browser origin (default *)
  --max-blob-mb <n>   KITH_MAX_BLOB_MB  largest blob (default 100)
                      KITH_CONN_RATE    frames/s per connection (default 500, burst 4x)
                      KITH_ACCOUNT_RATE operations/s per account (default 2000, burst 5x)
`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    synchronous: { type: 'string' },
    'cors-origin': { type: 'string' },
    'max-blob-mb': { type: 'string' },
    help: { type: 'boolean' },
  },
});

if (values.help === true) {
  process.stdout.write(HELP);
  process.exit(0);
}

const env = process.env;
const port = Number(values.port ?? env['PORT'] ?? '8787');
const synchronous = (values.synchronous ?? env['KITH_SYNCHRONOUS'] ?? 'FULL').toUpperCase();
const maxBlobMb = Number(values['max-blob-mb'] ?? env['KITH_MAX_BLOB_MB'] ?? '100');
if (!Number.isInteger(port) || port < 0 || port > 65535 || (synchronous !== 'FULL' && synchronous !== 'NORMAL') || !(maxBlobMb > 0)) {
  process.stderr.write(`invalid configuration\n${HELP}`);
  process.exit(2);
}
const connRate = Number(env['KITH_CONN_RATE'] ?? 0);
const accountRate = Number(env['KITH_ACCOUNT_RATE'] ?? 0);
const dataDir = resolve(values['data-dir'] ?? env['KITH_DATA_DIR'] ?? './data');
const logger = createJsonLogger((line) => process.stdout.write(line));

process.on('unhandledRejection', (reason) => {
  logger.log('error', 'process.unhandled_rejection', { error: reason instanceof Error ? reason.name : 'unknown' });
});

const running = await startNodeRelay({
  port,
  hostname: values.host ?? env['HOST'] ?? '0.0.0.0',
  dataDir,
  synchronous,
  logger,
  corsOrigin: values['cors-origin'] ?? env['KITH_CORS_ORIGIN'] ?? '*',
  limits: {
    maxBlobBytes: Math.floor(maxBlobMb * 1024 * 1024),
    ...(connRate > 0 ? { connRate, connBurst: connRate * 4 } : {}),
    ...(accountRate > 0 ? { accountRate, accountBurst: accountRate * 5 } : {}),
  },
});
logger.log('info', 'relay.listening', { url: running.url, port: running.port, durability: running.relay.ctx.store.durability });
process.stdout.write(`kith relay listening on ${running.url} (data: ${dataDir}, sqlite synchronous=${synchronous})\n`);

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
