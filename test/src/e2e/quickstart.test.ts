// docs/api.md's quickstart (core/examples/quickstart.ts) runs as documented: against a relay
// with its default settings, as a separate process, and exits 0 after every step held.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildRelay, type ChildRelay } from '@kith/relay';

const coreDir = fileURLToPath(new URL('../../../core/', import.meta.url));
let relay: ChildRelay | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'kith-quickstart-'));

afterAll(async () => {
  if (relay !== undefined && relay.child.exitCode === null) {
    relay.child.kill('SIGTERM');
    await relay.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function run(url: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@kith/source', '--import', 'tsx', 'examples/quickstart.ts'], { cwd: coreDir, env: { ...process.env, KITH_RELAY_URL: url } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('docs/api.md quickstart', () => {
  it('runs against a relay with default settings: three accounts, contacts, direct chat, group, reaction, receipt, attachment', async () => {
    relay = await startChildRelay(dataDir);
    const { code, out } = await run(relay.url);
    console.log(out.trim());
    expect(code).toBe(0);
    expect(out).toContain('bob decrypted the attachment: "not really a JPEG"');
    expect(out).toMatch(/group "Weekend trip": members 3, reaction on "Train at 9\?": 👍/);
  }, 180_000);
});
