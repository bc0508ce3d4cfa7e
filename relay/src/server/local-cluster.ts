import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../testing/free-port.js';
import { startTestPostgres, type TestPostgres } from '../testing/postgres-server.js';
import { startTestRedis, type TestRedis } from '../testing/redis-server.js';

const relayDir = fileURLToPath(new URL('../..', import.meta.url));
// As child-relay.ts: the compiled entry when built, main.ts through tsx from the workspace.
const entryArgs = import.meta.url.endsWith('.js')
  ? [fileURLToPath(new URL('../main.js', import.meta.url))]
  : ['--conditions=@kith/source', '--import', 'tsx', 'src/main.ts'];

export interface LocalClusterOptions {
  readonly instances: number;
  /** Instance i listens on `port + i`; 0 picks free ports. */
  readonly port: number;
  /** Use these servers instead of starting a private PostgreSQL / Redis. */
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  /** false: no Redis at all (instances share only the database; one instance on PostgreSQL). */
  readonly redis?: boolean;
  /** More relay settings for every instance (e.g. `KITH_ACCOUNT_RATE: '0'`). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface LocalClusterInstance {
  readonly name: string;
  readonly url: string;
  /** The relay process running now (a new one after `restart`). */
  readonly child: ChildProcess;
  /** stdout + stderr of the relay (JSON log lines). */
  readonly log: string;
}

export interface LocalCluster {
  readonly instances: readonly LocalClusterInstance[];
  /** Where the logs are; removed by `stop`. */
  readonly dir: string;
  /** The servers it started (absent when URLs were given). */
  readonly postgres: TestPostgres | undefined;
  readonly redis: TestRedis | undefined;
  /** SIGKILL (or SIGTERM) instance `name`; resolves once it exited. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Starts instance `name` again on its port; resolves once healthy. */
  restart(name: string): Promise<void>;
  /** SIGTERM to every relay (they drain), then Redis and PostgreSQL if it started them. */
  stop(): Promise<void>;
}

const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));

async function waitHealthy(url: string, child: ChildProcess, logPath: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`relay ${url} exited; see ${logPath}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`relay ${url} did not become healthy; see ${logPath}`);
}

/**
 * A throwaway cluster on this machine (`pnpm --filter @kith/relay cluster`): a private
 * PostgreSQL (initdb on a temporary directory) and redis-server on free ports, unless URLs are
 * given, and `instances` relay processes (A, B, C, …) on them. Everything it started is stopped
 * by `stop`, and the temporary data is deleted: this is for trying a cluster, not for keeping one
 * (docs/operations.md § Run on PostgreSQL shows a real deployment).
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kith-cluster-'));
  let pg: TestPostgres | undefined;
  let redis: TestRedis | undefined;
  const instances: LocalClusterInstance[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      instances.map(async (i) => {
        if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGTERM');
        await exited(i.child);
      }),
    );
    await redis?.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const spawnRelay = (name: string, port: number, databaseUrl: string, redisUrl: string | undefined): LocalClusterInstance => {
    const log = join(dir, `relay-${name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, entryArgs, {
      cwd: relayDir,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', KITH_DATA_DIR: join(dir, name), KITH_DATABASE_URL: databaseUrl, ...(redisUrl === undefined ? {} : { KITH_REDIS_URL: redisUrl }), ...options.env },
      stdio: ['ignore', fd, fd],
      // Its own process group: a Ctrl-C at the launcher stops the relays in order (stop), not at once.
      detached: true,
    });
    closeSync(fd);
    return { name, url: `http://127.0.0.1:${port}`, child, log };
  };
  const find = (name: string): number => {
    const i = instances.findIndex((x) => x.name === name);
    if (i < 0) throw new Error(`no instance ${name}`);
    return i;
  };
  try {
    const databaseUrl = options.databaseUrl ?? (pg = await startTestPostgres()).url;
    const redisUrl = options.redis === false ? undefined : (options.redisUrl ?? (redis = await startTestRedis()).url);
    for (let i = 0; i < options.instances; i++) {
      const port = options.port === 0 ? await freePort() : options.port + i;
      instances.push(spawnRelay(String.fromCharCode(65 + i), port, databaseUrl, redisUrl));
    }
    await Promise.all(instances.map((i) => waitHealthy(i.url, i.child, i.log)));
    return {
      instances,
      dir,
      postgres: pg,
      redis,
      async kill(name, signal = 'SIGKILL') {
        const c = instances[find(name)]!.child;
        c.kill(signal);
        await exited(c);
      },
      async restart(name) {
        const i = find(name);
        const old = instances[i]!;
        if (old.child.exitCode === null && old.child.signalCode === null) {
          old.child.kill('SIGTERM');
          await exited(old.child);
        }
        const next = spawnRelay(name, Number(new URL(old.url).port), databaseUrl, redisUrl);
        instances[i] = next;
        await waitHealthy(next.url, next.child, next.log);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
