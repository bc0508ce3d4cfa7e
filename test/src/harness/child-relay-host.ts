import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createWebSocketTransport, type RelayFetch, type WebSocketConstructor } from '@kith/core';
import type { RelayHost } from '@kith/core/testing';
import { startChildRelay, type ChildRelay } from '@kith/relay';

/**
 * A relay CHILD PROCESS (SQLite in a temp data directory that outlives restarts, like a database
 * file) as the harness's external `RelayHost`: peers reach whichever process runs now over real
 * HTTP and WebSockets.
 */
export interface ChildRelayHost extends Extract<RelayHost, { kind: 'external' }> {
  readonly dataDir: string;
  current(): ChildRelay;
  /** SIGKILL (`kill`) or SIGTERM the running process, then start a new one on the same data;
   *  resolves with how the old one exited (`'SIGKILL'`, …). */
  restart(kill?: boolean): Promise<string>;
}

// Rate limits off: one account pushes thousands of envelopes in seconds here.
const BASE_ENV = { KITH_CONN_RATE: '0', KITH_ACCOUNT_RATE: '0' };
/** Real I/O needs real time: each flush round gives the sockets this long (never a wait for sync itself). */
const IO_PAUSE_MS = 5;

async function stop(relay: ChildRelay, sig: NodeJS.Signals): Promise<string> {
  if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill(sig);
  return relay.exited;
}

/** Starts the relay process; `env` adds relay settings (e.g. KITH_SYNCHRONOUS). */
export async function createChildRelayHost(env: Record<string, string> = {}): Promise<ChildRelayHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kith-e2e-'));
  let relay = await startChildRelay(dataDir, { ...BASE_ENV, ...env });
  const fetchNow: RelayFetch = (path, init) => fetch(`${relay.url}${path}`, init);
  return {
    kind: 'external',
    dataDir,
    fetch: fetchNow,
    transport: {
      fetch: fetchNow,
      connect: (h) => createWebSocketTransport({ url: relay.url, WebSocket: WebSocket as unknown as WebSocketConstructor }).connect(h),
    },
    drain: () => new Promise((r) => setTimeout(r, IO_PAUSE_MS)),
    current: () => relay,
    async restart(kill = false) {
      const how = await stop(relay, kill ? 'SIGKILL' : 'SIGTERM');
      relay = await startChildRelay(dataDir, { ...BASE_ENV, ...env });
      return how;
    },
    async close() {
      await stop(relay, 'SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
