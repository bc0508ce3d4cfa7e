import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// TODO(exports): the relay's child-process helper is not exported by @kith/relay (reused, not duplicated).
import { startChildRelay, type ChildRelay } from '../../../relay/src/server/child-relay.js';

/** A relay child process on a temp data directory that outlives restarts (like a database file). */
export interface RelayProcess {
  readonly dataDir: string;
  current(): ChildRelay;
  /** SIGKILL (`kill`) or SIGTERM the running process, then start a new one on the same data. */
  restart(kill?: boolean): Promise<void>;
}

// Rate limits off: one account pushes thousands of envelopes in seconds here.
const BASE_ENV = { KITH_CONN_RATE: '0', KITH_ACCOUNT_RATE: '0' };

export async function startRelayProcess(env: Record<string, string> = {}): Promise<RelayProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kith-e2e-'));
  let relay = await startChildRelay(dataDir, { ...BASE_ENV, ...env });
  return {
    dataDir,
    current: () => relay,
    async restart(kill = false) {
      await signal(relay, kill ? 'SIGKILL' : 'SIGTERM');
      relay = await startChildRelay(dataDir, { ...BASE_ENV, ...env });
    },
  };
}

async function signal(relay: ChildRelay, sig: NodeJS.Signals): Promise<void> {
  if (relay.child.exitCode !== null || relay.child.signalCode !== null) return;
  relay.child.kill(sig);
  await relay.exited;
}

export async function stopRelayProcess(p: RelayProcess): Promise<void> {
  await signal(p.current(), 'SIGTERM');
  rmSync(p.dataDir, { recursive: true, force: true });
}
