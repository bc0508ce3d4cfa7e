import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// PKG-3 (ADR 0020): what `npm install` gives a user works. Builds the workspace, packs every
// publishable package with `pnpm pack`, installs the tarballs with plain npm into a scratch app in
// the temp dir (outside the workspace, so nothing resolves to its sources), type-checks a small
// program against them (fixtures/installed-app/main.ts plus a React component), and runs that
// program — two people exchange a message — against the packed `kith-relay` in a child process.
// The tarballs' third-party dependencies come from the npm registry through npm's cache
// (--prefer-offline). Install scripts are skipped: better-sqlite3's native addon is the one the
// workspace compiled for the same version and the same Node (checked), instead of a second
// 2-minute node-gyp build.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PUBLISHED = ['core', 'relay', 'react'] as const;
const scratch = mkdtempSync(join(tmpdir(), 'kith-pack-install-'));
const tarballs = new Map<string, string>();
let relay: ChildProcess | undefined;

// npm and pnpm must not see the workspace's pnpm-run environment (npm_config_*, npm_package_*).
const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k)));

function run(cmd: string, args: readonly string[], cwd: string, timeout = 300_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function expectRun(cmd: string, args: readonly string[], cwd: string, timeout?: number): string {
  const r = run(cmd, args, cwd, timeout);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${String(r.code)}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const manifest = (dir: string): { name: string; version: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> } =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as never;
/** The version the workspace pins for a third-party package (so the scratch app types against the same). */
function pinned(pkg: string, name: string): string {
  const m = manifest(join(root, pkg));
  const v = m.dependencies?.[name] ?? m.devDependencies?.[name];
  if (v === undefined) throw new Error(`${pkg}/package.json does not list ${name}`);
  return v;
}

const REACT_CHECK = `import type { ReactNode } from 'react';
import type { ConversationId, Kith } from '@kith/core';
import { KithProvider, useMessages } from '@kith/react';

export function Chat({ id }: { id: ConversationId }): ReactNode {
  const { messages, hasOlder, loadOlder } = useMessages(id, { pageSize: 20 });
  return (
    <ul>
      {hasOlder && <button onClick={() => void loadOlder()}>older</button>}
      {messages.map((m) => <li key={m.id}>{m.text}</li>)}
    </ul>
  );
}
export const app = (kith: Kith, id: ConversationId): ReactNode => <KithProvider kith={kith}><Chat id={id} /></KithProvider>;
`;

beforeAll(() => {
  expectRun('pnpm', ['build'], root);
  const packs = join(scratch, 'tarballs');
  mkdirSync(packs);
  for (const pkg of PUBLISHED) {
    const out = expectRun('pnpm', ['pack', '--pack-destination', packs], join(root, pkg));
    const file = out.trim().split('\n').reverse().find((l) => l.trim().endsWith('.tgz'));
    if (file === undefined) throw new Error(`pnpm pack printed no tarball: ${out}`);
    tarballs.set(pkg, file.trim().startsWith('/') ? file.trim() : join(packs, file.trim()));
  }
  const app = join(scratch, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'kith-scratch-app',
      private: true,
      type: 'module',
      dependencies: {
        '@kith/core': `file:${tarballs.get('core')!}`,
        '@kith/relay': `file:${tarballs.get('relay')!}`,
        '@kith/react': `file:${tarballs.get('react')!}`,
        react: pinned('react', 'react'),
        ws: pinned('relay', 'ws'),
      },
      devDependencies: {
        typescript: pinned('.', 'typescript'),
        '@types/node': pinned('.', '@types/node'),
        '@types/react': pinned('react', '@types/react'),
        '@types/ws': pinned('relay', '@types/ws'),
      },
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        jsx: 'react-jsx',
        skipLibCheck: true,
        rootDir: 'src',
        outDir: 'out',
      },
      include: ['src'],
    }),
  );
  cpSync(fileURLToPath(new URL('fixtures/installed-app/main.ts', import.meta.url)), join(app, 'src/main.ts'));
  writeFileSync(join(app, 'src/chat.tsx'), REACT_CHECK);
  expectRun('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], app, 540_000);
  // The native addon: the workspace's build of the same better-sqlite3 version for this Node.
  const ours = realpathSync(join(root, 'relay/node_modules/better-sqlite3'));
  const theirs = join(app, 'node_modules/better-sqlite3');
  expect(manifest(theirs).version).toBe(manifest(ours).version);
  mkdirSync(join(theirs, 'build/Release'), { recursive: true });
  copyFileSync(join(ours, 'build/Release/better_sqlite3.node'), join(theirs, 'build/Release/better_sqlite3.node'));
}, 900_000);

afterAll(async () => {
  if (relay !== undefined && relay.exitCode === null) {
    const exited = new Promise((r) => relay!.once('exit', r));
    relay.kill('SIGTERM');
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('PKG-3 the packed packages install with npm and run outside the workspace', () => {
  it('each tarball holds dist (ESM, .d.ts, source maps), its README and LICENSE, and no sources or tests', () => {
    for (const pkg of PUBLISHED) {
      const file = tarballs.get(pkg)!;
      const list = expectRun('tar', ['-tzf', file], scratch).split('\n').filter((l) => l !== '');
      console.log(`${pkg}: ${file.split('/').pop()!} ${(statSync(file).size / 1024).toFixed(1)} KiB, ${list.length} files`);
      expect(list).toContain('package/dist/index.js');
      expect(list).toContain('package/dist/index.d.ts');
      expect(list).toContain('package/dist/index.js.map');
      expect(list).toContain('package/README.md');
      expect(list).toContain('package/LICENSE');
      expect(list.filter((l) => l.startsWith('package/src/') || /\.test\.[jt]sx?$|\.test\.d\.ts$/.test(l))).toEqual([]);
      const installed = manifest(join(scratch, 'app/node_modules/@kith', pkg)) as { dependencies?: Record<string, string> };
      expect(Object.values(installed.dependencies ?? {}).filter((v) => v.startsWith('workspace:'))).toEqual([]);
    }
    expect(expectRun('tar', ['-tzf', tarballs.get('core')!], scratch)).toContain('package/dist/sandbox/yjs-decode-child.mjs');
  });

  it('a TypeScript program and a React component type-check against the installed packages', () => {
    const tsc = run('node', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], join(scratch, 'app'));
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
    expect(existsSync(join(scratch, 'app/out/main.js'))).toBe(true);
  });

  it('kith-relay --help exits 0; an invalid --port prints one error line and the help and exits 2', () => {
    const bin = join(scratch, 'app/node_modules/.bin/kith-relay');
    const help = run(bin, ['--help'], scratch, 30_000);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--port');
    const bad = run(bin, ['--port', 'nope'], scratch, 30_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/^kith-relay: invalid --port/);
    expect(bad.stderr).toContain('usage: kith-relay');
  });

  it('two people exchange a message through the packed kith-relay on plain Node', async () => {
    const app = join(scratch, 'app');
    const dataDir = join(scratch, 'relay-data');
    const child = spawn(join(app, 'node_modules/.bin/kith-relay'), ['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--synchronous', 'NORMAL'], { cwd: scratch, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    relay = child;
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = /kith relay listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`kith-relay exited ${String(code)}: ${out}`)));
    });
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, ['out/main.js'], { cwd: app, env: { ...cleanEnv(), KITH_RELAY_URL: url } });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      p.once('exit', (code) => resolve({ code, out }));
    });
    expect(result.out).toContain('bob received: Hi Bob, from the packed packages');
    expect(result.code).toBe(0);
  });
});
