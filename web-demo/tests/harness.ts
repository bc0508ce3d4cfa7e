// Browser-test harness: Debian Chromium via playwright-core, the demo served by Vite's dev
// server in-process, and a real relay as a child process on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, createServer, preview, type ViteDevServer } from 'vite';
import { afterEach } from 'vitest';

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

export interface DemoUser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors, `console.error`s and HTTP ≥ 400 responses, in order. */
  readonly errors: string[];
  /** Errors this test provokes on purpose (going offline…): they do not fail it. */
  allow(...patterns: RegExp[]): void;
}

/**
 * Errors every test may see: a reloaded profile re-claims its capability scopes and the relay
 * answers 409 (already claimed), which the sync client treats as done.
 */
const ALWAYS_ALLOWED: readonly RegExp[] = [/^HTTP 409 \/v1\/caps$/];

// Suite-wide: after every test, any error a user's page logged during it fails that test
// (unless allowed). Each test file evaluates this module afresh, so the hook is per file.
const watched: Array<{ readonly user: DemoUser; readonly allowed: RegExp[]; seen: number }> = [];
afterEach(() => {
  const found: string[] = [];
  for (const w of watched) {
    const fresh = w.user.errors.slice(w.seen);
    w.seen = w.user.errors.length;
    found.push(...fresh.filter((e) => ![...ALWAYS_ALLOWED, ...w.allowed].some((re) => re.test(e))));
  }
  if (found.length > 0) throw new Error(`console errors during the test:\n${found.join('\n')}`);
});

/** An isolated browser profile (own IndexedDB and localStorage), phone- or desktop-sized. */
export async function newUser(browser: Browser, demo: Demo, viewport = { width: 1100, height: 760 }): Promise<DemoUser> {
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
  const allowed: RegExp[] = [];
  const user: DemoUser = { context, page, errors, allow: (...patterns) => void allowed.push(...patterns) };
  watched.push({ user, allowed, seen: 0 });
  await page.goto(demo.url);
  return user;
}

/** What going offline provokes: requests that cannot leave, and Vite's dev client losing its websocket. */
export const OFFLINE_ERRORS: readonly RegExp[] = [/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/, /\[vite\] failed to connect to websocket/];

/** The screenshots docs/web-demo.md shows; `KITH_DOCS_SCREENSHOTS=1` refreshes them in docs/screenshots. */
const DOC_SHOTS = new Set(['chat-list', 'chat-list-unread', 'conversation', 'conversation-phone', 'group', 'group-member-view', 'call', 'call-screen-share', 'logged-in-elsewhere', 'group-phone', 'chat-list-missed-call', 'delete-dialog', 'new-chat', 'offline-shell', 'shared-note', 'shared-note-phone', 'new-chat-phone']);

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  if (process.env['KITH_DOCS_SCREENSHOTS'] === '1' && DOC_SHOTS.has(name)) copyFileSync(path, join(ROOT, 'docs', 'screenshots', `${name}.png`));
  return path;
}
