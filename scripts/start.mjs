// `pnpm start`: runs the relay (embedded SQLite + files under ./data) and the web demo side by
// side, each as far as it exists in this checkout, and prints the URLs to open. The relay is the
// `kith-relay` binary on plain Node (relay/dist, ADR 0020): @kith/core and @kith/relay are built
// first whenever a source file is newer than their dist/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const children = [];

function hasScript(pkgDir, name) {
  const file = `${root}${pkgDir}/package.json`;
  if (!existsSync(file)) return false;
  return Boolean(JSON.parse(readFileSync(file, 'utf8')).scripts?.[name]);
}

function run(label, args, env) {
  const child = spawn('pnpm', args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line) => `[${label}] ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) console.log(prefix(l));
    });
  }
  child.on('exit', (code, signal) => {
    console.log(prefix(`exited (${signal ?? code})`));
    shutdown(code ?? 1);
  });
  children.push(child);
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

/** The newest mtime under dir (ms), or 0. */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(`${e.parentPath}/${e.name}`).mtimeMs);
  }
  return t;
}
const built = (pkg, entry) => (existsSync(`${root}${pkg}/dist/${entry}`) ? statSync(`${root}${pkg}/dist/${entry}`).mtimeMs : 0);
if (hasScript('relay', 'build') && (newest(`${root}core/src`) > built('core', 'index.js') || newest(`${root}relay/src`) > built('relay', 'main.js'))) {
  console.log('building @kith/core and @kith/relay (pnpm build)…');
  const b = spawnSync('pnpm', ['--filter', '@kith/core', '--filter', '@kith/relay', 'run', 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const relayPort = process.env.PORT ?? '8787';
const demoPort = process.env.DEMO_PORT ?? '5173';
if (hasScript('relay', 'start')) {
  run('relay', ['--filter', '@kith/relay', 'start'], { PORT: relayPort, KITH_DATA_DIR: process.env.KITH_DATA_DIR ?? `${root}data` });
  console.log(`relay: http://localhost:${relayPort}  (health: /health)`);
}
if (hasScript('web-demo', 'start')) {
  run('web-demo', ['--filter', '@kith/web-demo', 'start'], { DEMO_PORT: demoPort, KITH_RELAY_URL: `http://localhost:${relayPort}` });
  console.log(`open the demo: http://localhost:${demoPort}`);
}
if (children.length === 0) {
  console.log('nothing to start yet in this checkout');
}
