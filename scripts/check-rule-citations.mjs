#!/usr/bin/env node
// Lists the rule ids of docs/PROTOCOL.md (and docs/THREAT_MODEL.md) that no test cites, and exits
// 1 when there is any (`pnpm check:rules`, a step of scripts/test-all.sh).
//
// A rule is defined where its id opens a bold run at the start of a line or bullet
// (`- **ENV-3** …`, `- **KEY-1 Identity.** …`, `**SYNC-14 Vetting.**`; `**OPS-1..5**` defines
// OPS-1 … OPS-5) or appears in a table row (`| version | u8 | … (ENV-1: …) |`).
// A test cites a rule when the id appears (in a title or a comment) in test code: a
// `*.test.ts`/`*.test.tsx` file, or a module that imports vitest (conformance suites), under
// core/, relay/, react/, test/ or web-demo/. `KEY-1` does not match `KEY-10`, `RLY-8` does not
// match `RLY-8a`; a range or list written in a test (`STO-1…19`, `OPS-1..5`, `CAP-2/3`) cites
// every id in it.
//
//   node scripts/check-rule-citations.mjs            # uncited ids, exit 1 if any
//   node scripts/check-rule-citations.mjs --list     # every id with the files citing it
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SPECS = ['docs/PROTOCOL.md', 'docs/THREAT_MODEL.md'];
const TEST_ROOTS = ['core', 'relay', 'react', 'test', 'web-demo'];
const ID = String.raw`[A-Z]{2,6}-[0-9]+[a-z]?`;

/** `X-3..5` / `X-3…5` →; `X-2/3` →; `X-3` → X-3. */
function expand(token) {
  const list = /^([A-Z]{2,6})-([0-9]+(?:\/[0-9]+)+)$/.exec(token);
  if (list !== null) return list[2].split('/').map((n) => `${list[1]}-${n}`);
  const range = /^([A-Z]{2,6})-([0-9]+)(?:\.\.|…)([0-9]+)$/.exec(token);
  if (range === null) return [token];
  const [, prefix, from, to] = range;
  const ids = [];
  for (let n = Number(from); n <= Number(to); n++) ids.push(`${prefix}-${n}`);
  return ids;
}

function definedIds() {
  const ids = new Map(); // id -> "file:line"
  const bold = new RegExp(String.raw`^\s*(?:[-*]\s+)?\*\*(${ID}(?:(?:\.\.|…)[0-9]+)?)\b`);
  const inTable = new RegExp(String.raw`\b${ID}(?![0-9a-z])`, 'g');
  for (const spec of SPECS) {
    const path = join(root, spec);
    if (!existsSync(path)) continue;
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
      const found = [];
      const m = bold.exec(line);
      if (m !== null) found.push(...expand(m[1]));
      if (line.trimStart().startsWith('|')) found.push(...(line.match(inTable) ?? []));
      for (const id of found) if (!ids.has(id)) ids.set(id, `${spec}:${i + 1}`);
    });
  }
  return ids;
}

function* testFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(path);
    else if (/\.(m?[jt]sx?)$/.test(entry.name)) {
      const text = readFileSync(path, 'utf8');
      if (/\.test\.tsx?$/.test(entry.name) || /from ['"]vitest['"]/.test(text)) yield { path, text };
    }
  }
}

function citations() {
  const cited = new Map(); // id -> Set of files
  const token = new RegExp(String.raw`\b${ID}(?:(?:\.\.|…)[0-9]+|(?:\/[0-9]+)+)?(?![0-9a-z])`, 'g');
  for (const top of TEST_ROOTS) {
    const dir = join(root, top);
    if (!existsSync(dir)) continue;
    for (const { path, text } of testFiles(dir)) {
      for (const t of text.match(token) ?? []) {
        for (const id of expand(t)) {
          if (!cited.has(id)) cited.set(id, new Set());
          cited.get(id).add(relative(root, path));
        }
      }
    }
  }
  return cited;
}

const defined = definedIds();
const cited = citations();
const uncited = [...defined.keys()].filter((id) => !cited.has(id));

if (process.argv.includes('--list')) {
  for (const [id, where] of defined) console.log(`${id}\t${where}\t${[...(cited.get(id) ?? [])].join(' ') || '-'}`);
}
for (const id of uncited) console.log(`uncited: ${id} (${defined.get(id)})`);
console.log(`${defined.size} rule ids, ${defined.size - uncited.length} cited by a test, ${uncited.length} uncited`);
process.exit(uncited.length === 0 ? 0 : 1);
