import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildRelay, type ChildRelay } from '@kith/relay';

/**
 * The relay's CLI reads 0 as "no limit" for both rates (relay-options.ts, OPS-6): the bench
 * pushes thousands of frames a second from one account. Durability stays the default (SQLite
 * `synchronous=FULL`: an ack follows its fsync).
 */
export const UNLIMITED_RATES = { KITH_CONN_RATE: '0', KITH_ACCOUNT_RATE: '0' } as const;

export interface BenchRelay {
  readonly url: string;
  readonly relay: ChildRelay;
  stop(): Promise<void>;
}

/** The relay entry as a child process on a fresh data directory. */
export async function startBenchRelay(): Promise<BenchRelay> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kith-bench-peers-'));
  const relay = await startChildRelay(dataDir, UNLIMITED_RATES);
  return {
    url: relay.url,
    relay,
    async stop() {
      if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill('SIGTERM');
      await relay.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
