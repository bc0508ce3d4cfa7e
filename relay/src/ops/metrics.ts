/** Counters the relay exposes on /metrics (Prometheus text format). */
export interface RelayMetrics {
  connections: number;
  framesIn: number;
  framesOut: number;
  httpRequests: number;
  envelopesStored: number;
  readonly rejects: Map<string, number>;
  reject(reason: string): void;
}

export function createRelayMetrics(): RelayMetrics {
  const rejects = new Map<string, number>();
  return {
    connections: 0,
    framesIn: 0,
    framesOut: 0,
    httpRequests: 0,
    envelopesStored: 0,
    rejects,
    reject(reason) {
      rejects.set(reason, (rejects.get(reason) ?? 0) + 1);
    },
  };
}

export function totalRejects(m: RelayMetrics): number {
  let n = 0;
  for (const v of m.rejects.values()) n += v;
  return n;
}

export function formatMetrics(m: RelayMetrics, bytes: { envelopes: number; blobs: number; compacted: number }, groupCommits = 0, fsyncs = 0): string {
  const lines = [
    '# TYPE kith_relay_connections gauge',
    `kith_relay_connections ${m.connections}`,
    '# TYPE kith_relay_frames_in_total counter',
    `kith_relay_frames_in_total ${m.framesIn}`,
    '# TYPE kith_relay_frames_out_total counter',
    `kith_relay_frames_out_total ${m.framesOut}`,
    '# TYPE kith_relay_http_requests_total counter',
    `kith_relay_http_requests_total ${m.httpRequests}`,
    '# TYPE kith_relay_envelopes_stored_total counter',
    `kith_relay_envelopes_stored_total ${m.envelopesStored}`,
    '# TYPE kith_relay_group_commits_total counter',
    `kith_relay_group_commits_total ${groupCommits}`,
    '# TYPE kith_relay_fsyncs_total counter',
    `kith_relay_fsyncs_total ${fsyncs}`,
    '# TYPE kith_relay_bytes_stored gauge',
    `kith_relay_bytes_stored{kind="envelopes"} ${bytes.envelopes}`,
    `kith_relay_bytes_stored{kind="blobs"} ${bytes.blobs}`,
    // SNAP-9: what compaction keeps of the envelopes it dropped (runs: keys, counters, digests).
    `kith_relay_bytes_stored{kind="compacted"} ${bytes.compacted}`,
    '# TYPE kith_relay_rejects_total counter',
  ];
  for (const [reason, n] of [...m.rejects].sort()) lines.push(`kith_relay_rejects_total{reason="${reason}"} ${n}`);
  return `${lines.join('\n')}\n`;
}
