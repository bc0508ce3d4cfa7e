import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const relayDir = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildRelay {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the child wrote to stdout and stderr. */
  readonly output: string[];
  /** Resolves with the exit signal or code. */
  readonly exited: Promise<string>;
}

// Built (dist/, as published) this file runs the compiled entry on plain Node; from source (the
// workspace), main.ts through tsx with the `@kith/source` condition (ADR 0020).
const entryArgs = import.meta.url.endsWith('.js')
  ? [fileURLToPath(new URL('../main.js', import.meta.url))]
  : ['--conditions=@kith/source', '--import', 'tsx', 'src/main.ts'];

/**
 * Starts the relay entry in a child process on a free port; resolves once it listens. Node runs
 * main.ts itself with tsx as a loader (`node --import tsx`), so the child's pid IS the relay —
 * the `tsx` CLI would put a second process in between and SIGKILL would orphan the relay.
 * `nodeArgs` go to node before the loader (e.g. `--cpu-prof` for a benchmark).
 */
export function startChildRelay(dataDir: string, extraEnv: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<ChildRelay> {
  const child = spawn(process.execPath, [...nodeArgs, ...entryArgs], {
    cwd: relayDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', KITH_DATA_DIR: dataDir, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  return new Promise<ChildRelay>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      const s = d.toString('utf8');
      output.push(s);
      buf += s;
      const m = /listening on (http:\/\/[^\s]+)/.exec(buf);
      if (m !== null) resolve({ url: m[1]!.replace('localhost', '127.0.0.1'), child, output, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => output.push(d.toString('utf8')));
    void exited.then((how) => reject(new Error(`relay exited before listening (${how}): ${output.join('').slice(-500)}`)));
  });
}
