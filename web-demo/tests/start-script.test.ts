import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, ROOT } from './harness.js';

// Problem 11 of issue 17: `pnpm start` printed "open the demo" seconds before the relay
// answered, and signing up in that window failed with "Sign-up failed (offline)".
describe('pnpm start', () => {
  it('11: prints "open the demo" only once the relay answers /health and the demo is served', async () => {
    const [relayPort, demoPort] = [await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), 'kith-start-'));
    const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env: { ...process.env, PORT: String(relayPort), DEMO_PORT: String(demoPort), KITH_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    try {
      const printed = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.startsWith('open the demo'));
          if (line !== undefined) resolve(line);
        });
        child.once('exit', (code) => reject(new Error(`start exited (${code}): ${out.slice(-2000)}`)));
      });
      // The moment the line is printed, both answer.
      const health = await fetch(`http://127.0.0.1:${relayPort}/health`).then((r) => r.status, () => 0);
      const page = await fetch(`http://127.0.0.1:${demoPort}/`).then((r) => r.status, () => 0);
      console.log(`start: "${printed}"; relay /health ${health}, demo ${page} right after`);
      expect(printed).toBe(`open the demo: http://localhost:${demoPort}`);
      expect(health).toBe(200);
      expect(page).toBe(200);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
