import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// PKG-1 / PKG-2 (docs/PROTOCOL.md § Packaging): which bare modules an entry point of @kith/core
// pulls in, found by walking its static and dynamic imports from the source files the entry maps to.
const coreDir = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };

/** The source file an export key of core/package.json maps to. */
function entryFile(key: string): string {
  const target = pkg.exports[key];
  if (target === undefined) throw new Error(`no export ${key}`);
  const path = typeof target === 'string' ? target : (target['@kith/source'] ?? target['import']);
  if (path === undefined) throw new Error(`no source path for ${key}`);
  return join(coreDir, path);
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every bare specifier (package or node: built-in) reachable from `entry`. Type-only imports are skipped. */
function bareImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(SPECIFIER)) {
      if (/^\s*(?:import|export)\s+type\s/.test(m[0].trimStart())) continue;
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith('.')) {
        bare.add(spec);
        continue;
      }
      const resolved = join(dirname(file), spec);
      const ts = resolved.replace(/\.js$/, '.ts');
      stack.push(existsSync(ts) ? ts : resolved);
    }
  }
  return bare;
}

const automerge = (s: Set<string>): boolean => [...s].some((x) => x.startsWith('@automerge/'));
const nodeBuiltins = (s: Set<string>): string[] => [...s].filter((x) => x.startsWith('node:'));

describe('PKG-1 the main entry imports no Automerge', () => {
  it('@kith/core and @kith/core/yjs reach no @automerge module; @kith/core/automerge and ./backends do', () => {
    expect(automerge(bareImports(entryFile('.')))).toBe(false);
    expect(automerge(bareImports(entryFile('./yjs')))).toBe(false);
    expect(automerge(bareImports(entryFile('./dexie')))).toBe(false);
    // The walk is meaningful: the same walk finds Automerge where it is imported.
    expect(automerge(bareImports(entryFile('./automerge')))).toBe(true);
    expect(automerge(bareImports(entryFile('./backends')))).toBe(true);
    expect(bareImports(entryFile('./yjs')).has('yjs')).toBe(true);
  });

  it('only @kith/core/automerge-repo reaches the optional peer @automerge/automerge-repo', () => {
    for (const key of Object.keys(pkg.exports).filter((k) => k !== './automerge-repo' && k !== './sandbox-worker')) {
      expect({ key, repo: bareImports(entryFile(key)).has('@automerge/automerge-repo') }).toEqual({ key, repo: false });
    }
    expect(bareImports(entryFile('./automerge-repo')).has('@automerge/automerge-repo')).toBe(true);
  });
});

describe('PKG-2 browser entries reach no Node built-in', () => {
  it('@kith/core, ./yjs, ./y-websocket, ./automerge, ./automerge-repo, ./dexie, ./protocol and ./sandbox-worker import no node: module; ./node does', () => {
    for (const key of ['.', './yjs', './y-websocket', './automerge', './automerge-repo', './dexie', './protocol', './sandbox-worker']) {
      expect({ key, builtins: nodeBuiltins(bareImports(entryFile(key))) }).toEqual({ key, builtins: [] });
    }
    expect(nodeBuiltins(bareImports(entryFile('./node'))).length).toBeGreaterThan(0);
  });
});
