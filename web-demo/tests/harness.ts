// Browser-test harness: Debian Chromium via playwright-core, the demo served by Vite's dev
// server in-process, and a real relay as a child process on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, createServer, preview, type ViteDevServer } from 'vite';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, 'artifacts', 'screenshots');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Demo {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves web-demo with Vite's dev server, pointed at `relayUrl`. */
export async function startDemo(relayUrl: string): Promise<Demo> {
  process.env['KITH_RELAY_URL'] = relayUrl;
  const port = await freePort();
  const server: ViteDevServer = await createServer({
    configFile: join(ROOT, 'web-demo', 'vite.config.ts'),
    root: join(ROOT, 'web-demo'),
    logLevel: 'error',
    server: { port, strictPort: true, host: '127.0.0.1', hmr: false },
  });
  await server.listen();
  return { url: `http://127.0.0.1:${port}/?relay=${encodeURIComponent(relayUrl)}`, close: () => server.close() };
}

/**
 * Builds the production bundle (`vite build`, as `pnpm --filter @kith/web-demo build` does) into
 * a temp dir and serves it with `vite preview`: the code users get, minified and chunked, with
 * the decode worker as its own bundle. `buildMs` is what the build took.
 */
export async function startBuiltDemo(relayUrl: string): Promise<Demo & { buildMs: number }> {
  process.env['KITH_RELAY_URL'] = relayUrl;
  const outDir = mkdtempSync(join(tmpdir(), 'kith-demo-dist-'));
  const configFile = join(ROOT, 'web-demo', 'vite.config.ts');
  const root = join(ROOT, 'web-demo');
  const started = performance.now();
  await build({ configFile, root, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const buildMs = Math.round(performance.now() - started);
  const port = await freePort();
  const server = await preview({ configFile, root, logLevel: 'error', build: { outDir }, preview: { port, strictPort: true, host: '127.0.0.1' } });
  return {
    url: `http://127.0.0.1:${port}/?relay=${encodeURIComponent(relayUrl)}`,
    buildMs,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export interface Relay {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the relay (`pnpm --filter @kith/relay start`'s entry) as a child process. */
export async function startRelay(): Promise<Relay> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'kith-demo-relay-'));
  const child: ChildProcess = spawn(process.execPath, ['--conditions=@kith/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: join(ROOT, 'relay'),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', KITH_DATA_DIR: dataDir, KITH_SYNCHRONOUS: 'NORMAL' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.includes('kith relay listening')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    child.once('exit', (code) => reject(new Error(`relay exited (${code}): ${log.slice(-2000)}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Debian Chromium with the flags from /work/shared/NOTES.md § Browser tests. Playwright gives
 * every launch a fresh temporary profile (it refuses `--user-data-dir` in `launch`), and every
 * context is an isolated profile of its own.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** An isolated browser profile (own IndexedDB and localStorage), phone- or desktop-sized. */
export async function newUser(browser: Browser, demo: Demo, viewport = { width: 1100, height: 760 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${new URL(r.url()).pathname}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  await page.goto(demo.url);
  return { context, page, errors };
}

/** The screenshots docs/web-demo.md shows; `KITH_DOCS_SCREENSHOTS=1` refreshes them in docs/screenshots. */
const DOC_SHOTS = new Set(['chat-list', 'chat-list-unread', 'conversation', 'conversation-phone', 'group', 'group-member-view', 'call', 'call-screen-share', 'logged-in-elsewhere']);

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  if (process.env['KITH_DOCS_SCREENSHOTS'] === '1' && DOC_SHOTS.has(name)) copyFileSync(path, join(ROOT, 'docs', 'screenshots', `${name}.png`));
  return path;
}
