// Runs every core/bench/*.bench.ts, one child process each (so heap figures do not mix), in
// name order, with --expose-gc. Each bench writes its own section of docs/benchmarks.md.
//   pnpm --filter @kith/core bench            all benches
//   pnpm --filter @kith/core bench crdt       only files whose name contains "crdt"
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--expose-gc', '--conditions=@kith/source', '--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  console.log(`=== ${file}: ${run.status === 0 ? 'ok' : `FAILED (${run.status ?? run.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
