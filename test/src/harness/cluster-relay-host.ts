import WebSocket from 'ws';
import { createWebSocketTransport, type RelayFetch, type WebSocketConstructor } from '@kith/core';
import type { RelayHost } from '@kith/core/testing';
import { startLocalCluster, type LocalCluster } from '@kith/relay/testing';

/**
 * A CLUSTER as the harness's external `RelayHost`: a private PostgreSQL, redis-server and
 * `instances` relay child processes (`startLocalCluster`, what `pnpm --filter @kith/relay
 * cluster` runs). There is no sticky routing: every HTTP request and every new WebSocket goes to
 * the next live instance in turn, so peers spread over the instances, a login's challenge and
 * answer usually hit different ones, and a peer whose instance died reconnects to another.
 */
export interface ClusterRelayHost extends Extract<RelayHost, { kind: 'external' }> {
  readonly cluster: LocalCluster;
  /** How many WebSockets went to each instance, by name. */
  readonly connections: ReadonlyMap<string, number>;
  /** SIGKILL an instance; new requests and sockets go to the others until `revive`. */
  kill(name: string): Promise<void>;
  revive(name: string): Promise<void>;
}

// Rate limits off: one account pushes hundreds of envelopes in seconds here.
const BASE_ENV = { KITH_CONN_RATE: '0', KITH_ACCOUNT_RATE: '0' };
/** Real I/O needs real time: each flush round gives the sockets this long (never a wait for sync itself). */
const IO_PAUSE_MS = 5;

export async function createClusterRelayHost(instances = 3): Promise<ClusterRelayHost> {
  const cluster = await startLocalCluster({ instances, port: 0, env: BASE_ENV });
  const down = new Set<string>();
  const connections = new Map<string, number>();
  // Separate turns for requests and sockets, so sockets spread evenly whatever the requests do.
  const turns = { http: 0, ws: 0 };
  const next = (kind: keyof typeof turns): { name: string; url: string } => {
    const live = cluster.instances.filter((i) => !down.has(i.name));
    const pick = live[turns[kind]++ % live.length];
    if (pick === undefined) throw new Error('no live instance');
    return pick;
  };
  const fetchAny: RelayFetch = (path, init) => fetch(`${next('http').url}${path}`, init);
  return {
    kind: 'external',
    cluster,
    connections,
    fetch: fetchAny,
    transport: {
      fetch: fetchAny,
      connect(h) {
        const i = next('ws');
        connections.set(i.name, (connections.get(i.name) ?? 0) + 1);
        return createWebSocketTransport({ url: i.url, WebSocket: WebSocket as unknown as WebSocketConstructor }).connect(h);
      },
    },
    drain: () => new Promise((r) => setTimeout(r, IO_PAUSE_MS)),
    async kill(name) {
      down.add(name);
      await cluster.kill(name, 'SIGKILL');
    },
    async revive(name) {
      await cluster.restart(name);
      down.delete(name);
    },
    close: () => cluster.stop(),
  };
}
