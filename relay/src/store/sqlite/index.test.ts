import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteRelayStore } from './index.js';
import { runRelayStoreConformance } from '../conformance.js';
import type { RelayStore } from '../ports.js';

runRelayStoreConformance('sqlite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kith-store-'));
  const opened: RelayStore[] = [createSqliteRelayStore({ dataDir })];
  return Promise.resolve({
    store: opened[0]!,
    async reopen() {
      await opened.at(-1)!.close();
      const s = createSqliteRelayStore({ dataDir });
      opened.push(s);
      return s;
    },
    async cleanup() {
      for (const s of opened) await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
});
