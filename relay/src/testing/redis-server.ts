import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';

/** A private redis-server on a free loopback port, no persistence. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: every connection drops, nothing is kept. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Why Redis tests are skipped here, or undefined when `redis-server` is on PATH. */
export function redisUnavailable(): string | undefined {
  return spawnSync('redis-server', ['--version']).status === 0 ? undefined : 'redis-server not found (apt-get install redis-server): Redis tests skipped';
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C meant for the parent does not stop it under the relays.
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-300)}`)));
  });
}

const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port);
  const down = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined) return;
    c.kill(signal);
    await exited(c);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => down('SIGKILL'),
    async restart() {
      await down('SIGKILL');
      child = await launch(port);
    },
    stop: () => down('SIGTERM'),
  };
}
