/**
 * Every setting `kith-relay` accepts, once: its flag, its environment variable, how its value is
 * parsed, and the line `--help` prints for it. `parseRelayCli` and `relayHelp` both read this
 * table, so the help cannot forget a flag the parser knows (OPS-6).
 */
export interface RelayOption<K extends string = string> {
  readonly key: K;
  /** Long flag without the dashes. */
  readonly flag: string;
  /** Environment variable read when the flag is absent; undefined for flag-only options. */
  readonly env: string | undefined;
  readonly placeholder: string;
  readonly description: string;
  /** Parses a raw value. */
  readonly parse: (raw: string) => ParsedOption;
  /** The value may hold a secret (a password in a URL): errors never repeat it. */
  readonly secret?: boolean;
}

export type ParsedValue = string | number;
export type ParsedOption = { readonly ok: true; readonly value: ParsedValue } | { readonly ok: false; readonly error: string };

const good = (value: ParsedValue): ParsedOption => ({ ok: true, value });
const bad = (error: string): ParsedOption => ({ ok: false, error });

const integerIn =
  (min: number, max: number) =>
  (raw: string): ParsedOption => {
    const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? good(n) : bad(`expected a whole number from ${min} to ${max}`);
  };

const positiveNumber = (raw: string): ParsedOption => {
  const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? good(n) : bad('expected a number above 0');
};

const nonEmpty = (raw: string): ParsedOption => (raw.trim() === '' ? bad('expected a value') : good(raw.trim()));

const databaseUrl = (raw: string): ParsedOption => {
  const v = raw.trim();
  if (!/^postgres(ql)?:\/\//.test(v)) return bad('expected a postgres:// or postgresql:// URL');
  try {
    new URL(v);
  } catch {
    return bad('expected a postgres:// or postgresql:// URL');
  }
  return good(v);
};

const redisUrl = (raw: string): ParsedOption => {
  const v = raw.trim();
  if (!/^rediss?:\/\//.test(v)) return bad('expected a redis:// or rediss:// URL');
  try {
    new URL(v);
  } catch {
    return bad('expected a redis:// or rediss:// URL');
  }
  return good(v);
};

const oneOf =
  (...choices: string[]) =>
  (raw: string): ParsedOption => {
    const v = raw.trim().toUpperCase();
    return choices.includes(v) ? good(v) : bad(`expected one of ${choices.join(', ')}`);
  };

export const RELAY_OPTIONS = [
  { key: 'port', flag: 'port', env: 'PORT', placeholder: '<n>', description: 'listen port, 0 picks a free one (default 8787)', parse: integerIn(0, 65535) },
  { key: 'host', flag: 'host', env: 'HOST', placeholder: '<addr>', description: 'listen address (default 0.0.0.0)', parse: nonEmpty },
  { key: 'dataDir', flag: 'data-dir', env: 'KITH_DATA_DIR', placeholder: '<dir>', description: 'SQLite database and blob files (default ./data)', parse: nonEmpty },
  {
    key: 'synchronous',
    flag: 'synchronous',
    env: 'KITH_SYNCHRONOUS',
    placeholder: '<mode>',
    description: 'FULL (default: an ack survives power loss) or NORMAL (survives a killed process)',
    parse: oneOf('FULL', 'NORMAL'),
  },
  {
    key: 'databaseUrl',
    flag: 'database-url',
    env: 'KITH_DATABASE_URL',
    placeholder: '<url>',
    description: 'PostgreSQL instead of SQLite: postgres://user:pass@host:5432/db (several relays may share it)',
    parse: databaseUrl,
    secret: true,
  },
  {
    key: 'redisUrl',
    flag: 'redis-url',
    env: 'KITH_REDIS_URL',
    placeholder: '<url>',
    description: 'Redis doorbell between instances sharing --database-url: redis://host:6379',
    parse: redisUrl,
    secret: true,
  },
  { key: 'corsOrigin', flag: 'cors-origin', env: 'KITH_CORS_ORIGIN', placeholder: '<origin>', description: 'allowed browser origin (default *)', parse: nonEmpty },
  { key: 'maxBlobMb', flag: 'max-blob-mb', env: 'KITH_MAX_BLOB_MB', placeholder: '<n>', description: 'largest blob in MiB (default 100)', parse: positiveNumber },
  {
    key: 'connRate',
    flag: 'conn-rate',
    env: 'KITH_CONN_RATE',
    placeholder: '<n>',
    description: 'frames/s per connection, burst 4x (default 500; 0 = no limit)',
    parse: integerIn(0, 10_000_000),
  },
  {
    key: 'accountRate',
    flag: 'account-rate',
    env: 'KITH_ACCOUNT_RATE',
    placeholder: '<n>',
    description: 'operations/s per account, burst 5x (default 2000; 0 = no limit)',
    parse: integerIn(0, 10_000_000),
  },
] as const satisfies readonly RelayOption[];

export type RelayOptionKey = (typeof RELAY_OPTIONS)[number]['key'];
