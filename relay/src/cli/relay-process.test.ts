import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const relayDir = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the relay entry as a real process (as `kith-relay` does) and returns how it ended. */
function relay(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=@kith/source', '--import', 'tsx', 'src/main.ts', ...args], {
    cwd: relayDir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('OPS-6 the relay process', () => {
  it('--help prints every flag and exits 0 (also behind the -- pnpm passes)', () => {
    for (const args of [['--help'], ['--', '--help']]) {
      const r = relay(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('usage: kith-relay');
      expect(r.stdout).toContain('--port');
      expect(r.stdout).toContain('KITH_CONN_RATE');
      expect(r.stderr).toBe('');
    }
  });

  it('an invalid value prints one line naming it, then the help, and exits 2 without a stack trace', () => {
    const r = relay(['--port', 'nope']);
    expect(r.code).toBe(2);
    const [first, ...rest] = r.stderr.split('\n');
    expect(first).toBe("kith-relay: invalid --port 'nope': expected a whole number from 0 to 65535");
    expect(rest.join('\n')).toContain('usage: kith-relay');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('an unknown flag or a bad environment variable exits 2 too', () => {
    expect(relay(['--verbose']).code).toBe(2);
    const r = relay([], { KITH_CONN_RATE: 'fast' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("kith-relay: invalid KITH_CONN_RATE 'fast': expected a whole number from 0 to 10000000");
  });
});
