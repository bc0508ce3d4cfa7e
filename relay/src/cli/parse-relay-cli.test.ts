import { describe, expect, it } from 'vitest';
import { parseRelayCli, relayHelp, type RelayCliConfig } from './parse-relay-cli.js';
import { RELAY_OPTIONS } from './relay-options.js';

const run = (argv: string[], env: Record<string, string> = {}): RelayCliConfig => {
  const r = parseRelayCli(argv, env);
  if (r.kind !== 'run') throw new Error(`expected a config, got ${JSON.stringify(r)}`);
  return r.config;
};
const errorOf = (argv: string[], env: Record<string, string> = {}): string => {
  const r = parseRelayCli(argv, env);
  if (r.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  return r.message;
};

describe('OPS-6 relay configuration', () => {
  it('defaults when nothing is given', () => {
    expect(run([])).toEqual({
      port: 8787,
      host: '0.0.0.0',
      dataDir: './data',
      synchronous: 'FULL',
      databaseUrl: undefined,
      redisUrl: undefined,
      corsOrigin: '*',
      maxBlobBytes: 100 * 1024 * 1024,
      connRate: undefined,
      accountRate: undefined,
    });
  });

  it('reads flags in both spellings, and a flag wins over its variable', () => {
    const c = run(['--port', '9000', '--data-dir=/tmp/x', '--synchronous', 'normal', '--max-blob-mb', '1.5'], { PORT: '1234', KITH_DATA_DIR: '/var/y', HOST: '127.0.0.1' });
    expect(c.port).toBe(9000);
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.host).toBe('127.0.0.1');
    expect(c.synchronous).toBe('NORMAL');
    expect(c.maxBlobBytes).toBe(Math.floor(1.5 * 1024 * 1024));
  });

  it('a rate of 0 is no limit; other rates pass through', () => {
    const c = run(['--conn-rate', '0'], { KITH_ACCOUNT_RATE: '300' });
    expect(c.connRate).toBe(Number.POSITIVE_INFINITY);
    expect(c.accountRate).toBe(300);
  });

  it('skips the lone -- a package manager passes through, and answers --help / -h', () => {
    expect(parseRelayCli(['--', '--help'], {}).kind).toBe('help');
    expect(parseRelayCli(['-h'], {}).kind).toBe('help');
    expect(run(['--', '--port', '1']).port).toBe(1);
  });

  it('refuses unknown flags, stray arguments and missing values with one line naming them', () => {
    expect(errorOf(['--prot', '1'])).toBe("unknown option '--prot'");
    expect(errorOf(['serve'])).toBe("unexpected argument 'serve'");
    expect(errorOf(['--port'])).toBe("option '--port' needs a value");
    expect(errorOf(['--port', '--host', 'x'])).toBe("option '--port' needs a value");
  });

  it.each([
    [['--port', 'nope'], {}, "invalid --port 'nope'"],
    [['--port', '70000'], {}, "invalid --port '70000'"],
    [['--port', '-1'], {}, "invalid --port '-1'"],
    [['--port', '80.5'], {}, "invalid --port '80.5'"],
    [[], { PORT: 'x' }, "invalid PORT 'x'"],
    [[], { KITH_CONN_RATE: 'fast' }, "invalid KITH_CONN_RATE 'fast'"],
    [[], { KITH_ACCOUNT_RATE: '1e3' }, "invalid KITH_ACCOUNT_RATE '1e3'"],
    [['--synchronous', 'OFF'], {}, "invalid --synchronous 'OFF'"],
    [['--max-blob-mb', '0'], {}, "invalid --max-blob-mb '0'"],
    [[], { KITH_MAX_BLOB_MB: 'big' }, "invalid KITH_MAX_BLOB_MB 'big'"],
    [['--host', ''], {}, "invalid --host ''"],
  ] as Array<[string[], Record<string, string>, string]>)('refuses invalid values: %j %j', (argv, env, start) => {
    const message = errorOf(argv, env);
    expect(message.startsWith(start)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('RLY-33: the database URL comes from --database-url or KITH_DATABASE_URL; an invalid one is refused without repeating it', () => {
    expect(run([]).databaseUrl).toBeUndefined();
    expect(run([], { KITH_DATABASE_URL: 'postgres://kith@db:5432/kith' }).databaseUrl).toBe('postgres://kith@db:5432/kith');
    expect(run(['--database-url', 'postgresql://a@b/c'], { KITH_DATABASE_URL: 'postgres://x@y/z' }).databaseUrl).toBe('postgresql://a@b/c');
    const message = errorOf([], { KITH_DATABASE_URL: 'mysql://root:hunter2@db/kith' });
    expect(message).toBe('invalid KITH_DATABASE_URL (not shown): expected a postgres:// or postgresql:// URL');
    expect(message).not.toContain('hunter2');
  });

  it('RLY-34: --redis-url / KITH_REDIS_URL needs a database URL; an invalid one is not repeated', () => {
    expect(run(['--redis-url', 'redis://r:6379'], { KITH_DATABASE_URL: 'postgres://d/k' }).redisUrl).toBe('redis://r:6379');
    expect(errorOf([], { KITH_REDIS_URL: 'redis://r:6379' })).toBe('KITH_REDIS_URL needs --database-url (instances share the database)');
    expect(errorOf(['--redis-url', 'http://:pw@r'], { KITH_DATABASE_URL: 'postgres://d/k' })).toBe('invalid --redis-url (not shown): expected a redis:// or rediss:// URL');
  });

  it('the help lists every flag and every environment variable', () => {
    const help = relayHelp();
    for (const o of RELAY_OPTIONS) {
      expect(help).toContain(`--${o.flag}`);
      if (o.env !== undefined) expect(help).toContain(o.env);
    }
    expect(help).toContain('--help');
  });
});
