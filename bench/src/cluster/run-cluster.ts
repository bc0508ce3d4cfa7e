// Issue 15's cluster figures → the `cluster` section of docs/benchmarks.md:
//   pnpm --filter @kith/bench bench:cluster              (a short run: the machine is shared)
//   BENCH_CLUSTER_PER_SENDER=500 BENCH_CLUSTER_IDLE=10000 pnpm --filter @kith/bench bench:cluster
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { createTestIdentity, registerAndLogin, startLocalCluster, type LocalCluster } from '@kith/relay/testing';
import { writeBenchSection } from '../../../scripts/bench-report.js';
import { kithFanoutOn, kithFanoutTarget } from '../fanout/kith-fanout.js';
import { asBytes, runFanout, type FanoutFigures } from '../fanout/fanout.js';
import { UNLIMITED_RATES } from '../kith/kith-relay.js';
import { loadAverage, machineLine } from '../machine.js';

const SUBSCRIBERS = 100;
const SENDERS = 4;
const PER_SENDER = Number(process.env['BENCH_CLUSTER_PER_SENDER'] ?? 100);
const IDLE = Number(process.env['BENCH_CLUSTER_IDLE'] ?? 10_000);
const PINGS = 1000;
const BYTES = 200;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

interface Row {
  readonly name: string;
  readonly f: FanoutFigures;
  /** Relay CPU ms (all instances) per delivery. */
  readonly cpuPerDelivery: number;
}

async function fanoutOn(name: string, cluster: LocalCluster | undefined): Promise<Row> {
  const pids = cluster?.instances.map((i) => i.child.pid) ?? [];
  const before = pids.map(cpuSeconds);
  const target = cluster === undefined ? await kithFanoutTarget(SENDERS, BYTES) : await kithFanoutOn(cluster.instances.map((i) => i.url), SENDERS, BYTES, () => Promise.resolve());
  const f = await runFanout(target, SUBSCRIBERS, SENDERS, PER_SENDER);
  const cpu = pids.reduce<number>((s, p, i) => s + cpuSeconds(p) - (before[i] ?? 0), 0);
  log(`  ${name}: ${(f.updates / (f.ms / 1000)).toFixed(0)} pushes/s, ${(f.deliveries / (f.ms / 1000)).toFixed(0)} deliveries/s${cpu > 0 ? `, relay CPU ${((cpu * 1000) / f.deliveries).toFixed(3)} ms/delivery` : ''}`);
  return { name, f, cpuPerDelivery: cpu > 0 ? (cpu * 1000) / f.deliveries : Number.NaN };
}

/** Opens a socket and authenticates it (the greeting may come with the upgrade: listen at once). */
const openAuthed = (url: string, token: string): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', function onAuth(data) {
      const f = JSON.parse(asBytes(data).toString('utf8')) as { t: string };
      if (f.t === 'hello') ws.send(JSON.stringify({ v: 1, t: 'auth', id: 0, token }));
      else if (f.t === 'authed') {
        ws.off('message', onAuth);
        resolve(ws);
      } else if (f.t === 'error') reject(new Error(`auth refused: ${JSON.stringify(f)}`));
    });
    ws.once('error', reject);
  });

/** `IDLE` authenticated sockets spread over the instances; then `PINGS` pings on a sample, latency of each pong. */
async function idleSockets(cluster: LocalCluster): Promise<{ open: number; p50: number; p99: number; max: number; openMs: number }> {
  const urls = cluster.instances.map((i) => `${i.url.replace(/^http/, 'ws')}/v1/ws`);
  const id = createTestIdentity('idle-sockets');
  const token = await registerAndLogin((p, init) => fetch(`${cluster.instances[0]!.url}${p}`, init), id, 'idle_sockets');
  const sockets: WebSocket[] = [];
  const t0 = performance.now();
  for (let i = 0; i < IDLE; i += 250) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(250, IDLE - i) }, (_, k) => openAuthed(urls[(i + k) % urls.length]!, token)),
    );
    sockets.push(...batch);
  }
  const openMs = performance.now() - t0;
  const latencies: number[] = [];
  for (let n = 0; n < PINGS; n += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, k) => {
        const ws = sockets[Math.floor(((n + k) * 7919) % sockets.length)]!;
        const sent = performance.now();
        return new Promise<void>((resolve) => {
          ws.on('message', function onPong(data) {
            const f = JSON.parse(asBytes(data).toString('utf8')) as { t: string; id?: number };
            if (f.t === 'pong' && f.id === n + k + 1) {
              ws.off('message', onPong);
              latencies.push(performance.now() - sent);
              resolve();
            }
          });
          ws.send(JSON.stringify({ v: 1, t: 'ping', id: n + k + 1 }));
        });
      }),
    );
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  const out = { open: sockets.length, p50: q(0.5), p99: q(0.99), max: latencies.at(-1)!, openMs };
  for (const s of sockets) s.terminate();
  return out;
}

process.on('unhandledRejection', (e) => {
  process.stderr.write(`bench cluster failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
const started = performance.now();
const loadBefore = loadAverage();
log(`bench cluster: ${SUBSCRIBERS} subscribers, ${SENDERS} senders × ${PER_SENDER}, ${BYTES}-byte bodies; ${IDLE} idle sockets; load ${loadBefore}`);
const rows: Row[] = [];
rows.push(await fanoutOn('1 instance, SQLite', undefined));
let cluster = await startLocalCluster({ instances: 1, port: 0, redis: false, env: UNLIMITED_RATES });
try {
  rows.push(await fanoutOn('1 instance, PostgreSQL', cluster));
} finally {
  await cluster.stop();
}
cluster = await startLocalCluster({ instances: 3, port: 0, env: UNLIMITED_RATES });
let idle: Awaited<ReturnType<typeof idleSockets>>;
try {
  rows.push(await fanoutOn('3 instances, PostgreSQL + Redis', cluster));
  idle = await idleSockets(cluster);
  log(`  idle: ${idle.open} sockets open in ${(idle.openMs / 1000).toFixed(1)} s; ping p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms, max ${idle.max.toFixed(1)} ms`);
} finally {
  await cluster.stop();
}
const loadAfter = loadAverage();
const rate = (r: Row): string => `${(r.f.updates / (r.f.ms / 1000)).toFixed(0)}`;
const del = (r: Row): number => r.f.deliveries / (r.f.ms / 1000);
const [one, pg, three] = rows as [Row, Row, Row];
const ratio = del(three) / del(pg);
const md = `## Cluster: PostgreSQL + Redis, several instances (\`pnpm --filter @kith/bench bench:cluster\`)

${SUBSCRIBERS} subscribers (spread over the instances in turn) of ${SENDERS} senders' feeds, each sender pushing ${PER_SENDER}
signed ${BYTES}-byte envelopes pipelined to its own instance; every envelope is stored durably
(SQLite FULL; PostgreSQL \`synchronous_commit=on\`, fsync on) before its ack and its deliveries.
Relays are child processes; PostgreSQL and Redis are private servers on the same machine.
One short run (the machine is shared with other work: load ${loadBefore} before, ${loadAfter} after).

| setup | pushes/s | deliveries/s | relay CPU per delivery |
|---|---:|---:|---:|
${rows.map((r) => `| ${r.name} | ${rate(r)} | ${del(r).toFixed(0)} | ${Number.isNaN(r.cpuPerDelivery) ? '–' : `${r.cpuPerDelivery.toFixed(3)} ms`} |`).join('\n')}

3 instances / 1 instance on PostgreSQL: **${ratio.toFixed(2)}×** deliveries/s (issue 15 asks ≥ 0.7×). On 2 cores
three relays, PostgreSQL, Redis and the load generator share the same CPUs, so this measures the
overhead of the doorbell path (a store read per burst per subscribed document per instance), not
a speed-up; a ratio above 1× on a loaded machine means three relay processes got a larger share
of the contended cores than one, not that the cluster is faster. The CPU column counts the relay
processes only (not PostgreSQL, Redis or the load generator).
SQLite → PostgreSQL on one instance: ${(del(pg) / del(one)).toFixed(2)}× deliveries/s.

Idle sockets: ${idle.open} authenticated WebSockets over 3 instances (opened in ${(idle.openMs / 1000).toFixed(1)} s), then ${PINGS} pings on a
sample: p50 ${idle.p50.toFixed(1)} ms, **p99 ${idle.p99.toFixed(1)} ms**, max ${idle.max.toFixed(1)} ms.

Estimate per added instance on real hardware: a delivery costs the relay ${three.cpuPerDelivery.toFixed(3)} ms of CPU in
the 3-instance run (${Number.isNaN(pg.cpuPerDelivery) ? '?' : pg.cpuPerDelivery.toFixed(3)} ms on one PostgreSQL instance), so one core of a
relay instance sustains about ${(1000 / three.cpuPerDelivery).toFixed(0)} deliveries/s when the relay is the bottleneck; fan-out
work is per instance (each instance serves its own subscribers and reads each document once per
burst), so adding an instance with its own core adds about that much, until PostgreSQL's
commit rate (one group commit per instance per burst, per-document row locks) or the shared
read load becomes the limit — on this machine the database and the relays share two cores, so
the table above cannot show it. Redis carries only small doorbells (tens of bytes per commit).
_Run took ${((performance.now() - started) / 60_000).toFixed(1)} min on ${machineLine()}._
`;
log(md);
writeBenchSection('cluster', md);
process.exit(0);
