import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * Replaces (or appends) one named section of docs/benchmarks.md, between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, so several benchmarks share the file.
 * The section is stamped with the date, Node version, machine and the load average as it is
 * written (every `pnpm bench` figure is taken on a machine that may be shared: the load says how much).
 */
export function writeBenchSection(name: string, markdown: string): void {
  const file = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
  const head = '# Benchmarks\n\nProduced by `pnpm bench`; each section is rewritten by the benchmark named in it.\n';
  const text = existsSync(file) ? readFileSync(file, 'utf8') : head;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg().map((x) => x.toFixed(2)).join(' / ');
  const machine = `${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ${cpus().length} × ${cpu} · ${Math.round(totalmem() / 2 ** 30)} GiB · load average (1 / 5 / 15 min) when written ${load}`;
  const section = `<!-- bench:${name} -->\n${markdown.trim()}\n\n_Machine: ${machine}_\n<!-- /bench:${name} -->`;
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  const next = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
