import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, defaultClientConditions, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';
import { writeBenchSection } from '../../../scripts/bench-report.js';

// PKG-1 on a real production bundle: a minimal Yjs browser app (fixtures/yjs-app: @kith/core +
// @kith/core/yjs + @kith/core/dexie) built by Vite holds no Automerge wasm; the same app on
// @kith/core/automerge does, so the check can see it. Prints the app's minified + gzip size;
// KITH_WRITE_BENCH=1 writes it to docs/benchmarks.md (section bundle).

interface Bundle {
  readonly files: Map<string, Uint8Array>;
  readonly js: number;
  readonly gzip: number;
  readonly wasm: number;
}

const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
const WASM_MAGIC_BASE64 = 'AGFzbQ'; // the same bytes inlined as base64

async function bundle(fixture: string): Promise<Bundle> {
  const root = fileURLToPath(new URL(`fixtures/${fixture}/`, import.meta.url));
  const out = await build({ root, logLevel: 'silent', configFile: false, resolve: { conditions: ['@kith/source', ...defaultClientConditions] }, build: { write: false, target: 'es2022', minify: true }, worker: { format: 'es' } });
  const outputs = (Array.isArray(out) ? out : [out]) as Rolldown.RolldownOutput[];
  const files = new Map<string, Uint8Array>();
  for (const o of outputs) {
    for (const item of o.output) files.set(item.fileName, item.type === 'chunk' ? Buffer.from(item.code) : Buffer.from(item.source));
  }
  let js = 0;
  let gzip = 0;
  let wasm = 0;
  for (const [name, bytes] of files) {
    if (name.endsWith('.js')) {
      js += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    if (name.endsWith('.wasm') || Buffer.from(bytes).includes(WASM_MAGIC) || Buffer.from(bytes).includes(WASM_MAGIC_BASE64)) wasm += bytes.length;
  }
  return { files, js, gzip, wasm };
}

const mentionsAutomerge = (b: Bundle): boolean => [...b.files].some(([name, bytes]) => /automerge/i.test(name) || Buffer.from(bytes).toString('latin1').includes('automerge'));
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

describe('PKG-1 a Yjs app bundles no Automerge', () => {
  it('the minimal Yjs app holds no wasm and no automerge module; the same app on Automerge holds both', async () => {
    const yjs = await bundle('yjs-app');
    const automerge = await bundle('automerge-app');
    expect(automerge.wasm).toBeGreaterThan(1_000_000); // the check sees Automerge's wasm where it is
    expect(mentionsAutomerge(automerge)).toBe(true);
    expect(yjs.wasm).toBe(0);
    expect(mentionsAutomerge(yjs)).toBe(false);
    const line = `yjs app: ${kb(yjs.js)} minified, ${kb(yjs.gzip)} gzip; automerge app: ${kb(automerge.js)} minified JS + ${kb(automerge.wasm)} wasm`;
    console.log(line);
    if (process.env['KITH_WRITE_BENCH'] === '1') {
      writeBenchSection(
        'bundle',
        [
          '## Browser bundle size (test/src/packaging/bundle-size.test.ts)',
          '',
          'A minimal app (`createKith` on `@kith/core` + `@kith/core/yjs` + `@kith/core/dexie`), built by',
          'Vite 8 for production (es2022, minified); sizes are the sum of the emitted JavaScript.',
          '',
          '| app | minified JS | gzip (level 9) | wasm |',
          '|---|---:|---:|---:|',
          `| Yjs (\`@kith/core/yjs\`) | ${kb(yjs.js)} | ${kb(yjs.gzip)} | none |`,
          `| same app on Automerge (\`@kith/core/automerge\`) | ${kb(automerge.js)} | ${kb(automerge.gzip)} | ${kb(automerge.wasm)} |`,
          '',
          'No crypto provider or sync client is in this app (an engine alone); PKG-1: the Yjs app holds no',
          'Automerge wasm — the test checks the built files, and that the Automerge app does hold it.',
        ].join('\n'),
      );
    }
  });
});
