import { RELAY_OPTIONS, type ParsedValue, type RelayOptionKey } from './relay-options.js';

/** What the relay process runs with, after flags, environment and defaults (OPS-6). */
export interface RelayCliConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly synchronous: 'FULL' | 'NORMAL';
  /** PostgreSQL URL; undefined = embedded SQLite under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Redis for fan-out between instances (RLY-34); needs `databaseUrl`. */
  readonly redisUrl: string | undefined;
  readonly corsOrigin: string;
  readonly maxBlobBytes: number;
  /** Frames/s per connection; `Infinity` = no limit; undefined = the relay's default. */
  readonly connRate: number | undefined;
  /** Operations/s per account; `Infinity` = no limit; undefined = the relay's default. */
  readonly accountRate: number | undefined;
}

export type RelayCliResult =
  | { readonly kind: 'run'; readonly config: RelayCliConfig }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

const byFlag = new Map<string, (typeof RELAY_OPTIONS)[number]>(RELAY_OPTIONS.map((o) => [o.flag, o]));

/**
 * Parses `kith-relay`'s arguments (`--flag value`, `--flag=value`, `--help`/`-h`) and environment.
 * A flag wins over its variable. Never throws: an unknown flag, a stray argument, a missing or
 * invalid value (flag or variable) is an `error` whose message names it in one line.
 * A lone `--` is skipped (package managers pass it through: `pnpm start -- --help`).
 */
export function parseRelayCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): RelayCliResult {
  const raw = new Map<RelayOptionKey, { value: string; from: string }>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--')) return { kind: 'error', message: `unexpected argument '${arg}'` };
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const option = byFlag.get(name);
    if (option === undefined) return { kind: 'error', message: `unknown option '--${name}'` };
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) return { kind: 'error', message: `option '--${name}' needs a value` };
      value = next;
      i++;
    }
    raw.set(option.key, { value, from: `--${name}` });
  }
  for (const option of RELAY_OPTIONS) {
    const fromEnv = option.env === undefined ? undefined : env[option.env];
    if (!raw.has(option.key) && fromEnv !== undefined && fromEnv !== '') raw.set(option.key, { value: fromEnv, from: option.env });
  }
  const parsed = new Map<RelayOptionKey, ParsedValue>();
  for (const option of RELAY_OPTIONS) {
    const given = raw.get(option.key);
    if (given === undefined) continue;
    const value = option.parse(given.value);
    const shown = 'secret' in option && option.secret ? '(not shown)' : `'${given.value}'`;
    if (!value.ok) return { kind: 'error', message: `invalid ${given.from} ${shown}: ${value.error}` };
    parsed.set(option.key, value.value);
  }
  const num = (k: RelayOptionKey): number | undefined => parsed.get(k) as number | undefined;
  const str = (k: RelayOptionKey): string | undefined => parsed.get(k) as string | undefined;
  const rate = (k: RelayOptionKey): number | undefined => {
    const n = num(k);
    return n === undefined ? undefined : n === 0 ? Number.POSITIVE_INFINITY : n;
  };
  if (parsed.has('redisUrl') && !parsed.has('databaseUrl')) {
    return { kind: 'error', message: `${raw.get('redisUrl')!.from} needs --database-url (instances share the database)` };
  }
  return {
    kind: 'run',
    config: {
      port: num('port') ?? 8787,
      host: str('host') ?? '0.0.0.0',
      dataDir: str('dataDir') ?? './data',
      synchronous: (str('synchronous') ?? 'FULL') as 'FULL' | 'NORMAL',
      databaseUrl: str('databaseUrl'),
      redisUrl: str('redisUrl'),
      corsOrigin: str('corsOrigin') ?? '*',
      maxBlobBytes: Math.floor((num('maxBlobMb') ?? 100) * 1024 * 1024),
      connRate: rate('connRate'),
      accountRate: rate('accountRate'),
    },
  };
}

/** The `--help` text: every flag with its environment variable, from the one option table. */
export function relayHelp(): string {
  const rows = RELAY_OPTIONS.map((o) => [`--${o.flag} ${o.placeholder}`, o.env ?? '', o.description] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const lines = rows.map(([flag, env, text]) => `  ${flag.padEnd(w0)}  ${env.padEnd(w1)}  ${text}`);
  return [
    'kith-relay — stores and forwards ciphertext (docs/operations.md)',
    '',
    'usage: kith-relay [options]      a flag wins over its environment variable',
    '',
    ...lines,
    `  ${'--help, -h'.padEnd(w0)}  ${''.padEnd(w1)}  print this help`,
    '',
  ].join('\n');
}
