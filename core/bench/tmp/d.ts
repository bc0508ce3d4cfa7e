// Domain bench: 100,000 messages through the public API, per CRDT backend — append rate, stored
// size, cold start from storage to the latest 50 messages, heap.
// Run: pnpm --filter @kith/core bench domain   (or: pnpm exec tsx core/bench/domain.bench.ts [count])
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { CrdtBackendName } from '../../src/ports/crdt.js';
import type { ConversationId, DeviceId, UserId } from '../../src/ids.js';
import type { MemoryDatabase } from '../../src/storage/memory/memory-storage.js';
import { createCrdtBackend } from '../../src/crdt/index.js';
import { deriveUserId } from '../../src/ids.js';
import { createKith } from '../../src/kith.js';
import { createMemoryDatabase, createMemoryStorage } from '../../src/storage/memory/memory-storage.js';
import { createManualClock } from '../../src/testing/manual-clock.js';
import { createSeededRandom } from '../../src/testing/seeded-random.js';
import { writeBenchSection } from '../../../scripts/bench-report.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = (): number => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

interface Row {
  backend: CrdtBackendName;
  rate: number;
  totalS: number;
  storedMb: number;
  bytesPerMessage: number;
  coldMs: number;
  firstPageMs: number;
  heapMb: number;
}

const random = createSeededRandom('domain-bench');
const alice = deriveUserId(random.bytes(32));
const bob = deriveUserId(random.bytes(32));
const device = '018bcfe5-6800-7000-a7d8-91c5f9f7de97' as DeviceId;

async function open(backend: CrdtBackendName, database: MemoryDatabase, clock: ReturnType<typeof createManualClock>, user: UserId) {
  const kith = await createKith({
    user,
    username: 'alice',
    device,
    backend: createCrdtBackend(backend),
    clock,
    random: random.fork(`${backend}:${clock.now()}`),
    storage: createMemoryStorage({ database }),
  });
  // What sync does once the relay acknowledges: keep the outbox empty.
  kith.onOutgoing((c) => void kith.acknowledge(c));
  return kith;
}

/** Writes COUNT messages; returns only the storage so the writer engine can be collected. */
async function write(backend: CrdtBackendName, database: MemoryDatabase, clock: ReturnType<typeof createManualClock>) {
  const kith = await open(backend, database, clock, alice);
  const conv = (await kith.conversations.openDirect(bob)).id;
  const started = performance.now();
  let lap = started;
  for (let i = 0; i < COUNT; i++) {
    if (i % 10 === 0) clock.advance(1);
    await kith.messages.send(conv, `message number ${i} — a typical short chat line`);
    if ((i + 1) % 10_000 === 0) {
      const now = performance.now();
      console.log(`  ${backend}: ${i + 1} messages, last 10k at ${Math.round(10_000 / ((now - lap) / 1000))}/s`);
      lap = now;
    }
  }
  await kith.idle();
  const totalS = (performance.now() - started) / 1000;
  await kith.close();
  return { conv, totalS };
}

/**
 * Cold start in a fresh process (the child gets the stored bytes, nothing else): open the engine
 * over that storage and read the latest 50 messages. Prints one JSON line.
 */
async function coldChild(file: string, backend: CrdtBackendName, conv: string): Promise<void> {
  const database = deserialize(readFileSync(file)) as MemoryDatabase;
  const heapBefore = heapMb();
  const clock = createManualClock(2_000_000_000_000);
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const t0 = performance.now();
  const cold = await open(backend, database, clock, alice);
  const coldMs = performance.now() - t0;
  const t1 = performance.now();
  const page = await cold.messages.page(conv as ConversationId, { limit: 50 });
  const firstPageMs = performance.now() - t1;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync('/tmp/cold.cpuprofile', JSON.stringify(profile));
  if (page.length !== 50 || !page[49]!.text.startsWith(`message number ${COUNT - 1} `)) throw new Error('wrong latest page');
  console.log(JSON.stringify({ coldMs, firstPageMs, heapMb: heapMb() - heapBefore }));
}

async function measure(backend: CrdtBackendName): Promise<Row> {
  const database = createMemoryDatabase();
  const clock = createManualClock();
  const { conv, totalS } = await write(backend, database, clock);
  let stored = 0;
  for (const doc of database.docs.values()) {
    stored += doc.snapshot?.length ?? 0;
    for (const u of doc.updates) stored += u.length;
  }
  for (const item of database.outbox.values()) stored += item.length;
  const file = join(tmpdir(), `kith-domain-bench-${process.pid}-${backend}.bin`);
  writeFileSync(file, serialize(database));
  const child = spawnSync(process.execPath, ['--expose-gc', '--conditions=@kith/source', '--import', 'tsx', fileURLToPath(import.meta.url), String(COUNT), '--cold', file, backend, conv], {
    encoding: 'utf8',
  });
  console.log('FILE', file, conv);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0) throw new Error(`cold start child failed: ${child.stderr}`);
  const cold = JSON.parse(line) as { coldMs: number; firstPageMs: number; heapMb: number };
  return { backend, rate: COUNT / totalS, totalS, storedMb: stored / 2 ** 20, bytesPerMessage: stored / COUNT, ...cold };
}

if (process.argv[3] === '--cold') {
  await coldChild(process.argv[4]!, process.argv[5] as CrdtBackendName, process.argv[6]!);
  process.exit(0);
}

const rows: Row[] = [];
for (const backend of ['yjs'] as const) {
  try {
    createCrdtBackend(backend);
  } catch {
    console.log(`  ${backend}: not available, skipped`);
    continue;
  }
  const row = await measure(backend);
  console.log(row);
  rows.push(row);
}

process.exit(0);
