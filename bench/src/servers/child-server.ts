import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildServer {
  /** ws://127.0.0.1:PORT */
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

const benchDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs one of this folder's server entries (`y-websocket-server.ts`, …) in a child process, so a
 * peer's server pays the same inter-process costs as the Kith relay child; resolves once it
 * prints `listening on ws://…`.
 */
export function startChildServer(entry: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--conditions=@kith/source', '--import', 'tsx', fileURLToPath(new URL(entry, import.meta.url))], {
    cwd: benchDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  return new Promise<ChildServer>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString('utf8');
      const m = /listening on (ws:\/\/[^\s]+)/.exec(output);
      if (m?.[1] !== undefined)
        resolve({
          url: m[1],
          child,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
    });
    void exited.then(() => reject(new Error(`${entry} exited before listening: ${output.slice(-500)}`)));
  });
}
