import { defaultClientConditions, defineConfig } from 'vite';

// The demo talks to the relay at KITH_RELAY_URL (default http://localhost:8787); `pnpm start`
// serves it on DEMO_PORT (default 5173). Automerge's wasm must not be pre-bundled (NOTES.md).
export default defineConfig({
  root: import.meta.dirname,
  define: {
    __KITH_RELAY_URL__: JSON.stringify(process.env['KITH_RELAY_URL'] ?? 'http://localhost:8787'),
  },
  // Workspace packages resolve to their sources (the `@kith/source` export condition, ADR 0020).
  resolve: { conditions: ['@kith/source', ...defaultClientConditions] },
  optimizeDeps: { exclude: ['@automerge/automerge'] },
  server: { port: Number(process.env['DEMO_PORT'] ?? '5173'), strictPort: true, host: '127.0.0.1' },
  preview: { port: Number(process.env['DEMO_PORT'] ?? '5173'), strictPort: true, host: '127.0.0.1' },
  build: { target: 'es2022' },
  // The decode sandbox runs as a module Web Worker (top-level await): bundle workers as ES modules.
  worker: { format: 'es' },
});
