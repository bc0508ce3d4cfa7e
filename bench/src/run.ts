// The side-by-side benchmark of issue 14 § 6: Kith against y-websocket and automerge-repo on
// the same workloads, interleaved, medians, ratios → the `peers` section of docs/benchmarks.md.
//   pnpm --filter @kith/bench bench            (full sizes, a few minutes per round)
//   BENCH_QUICK=1 pnpm --filter @kith/bench bench   (smoke-sized)
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { automergeSystem } from './automerge/automerge-system.js';
import { runChatWorkloads, type ChatFigures } from './chat-workloads.js';
import { kithColdOpenFromDomainSection, peerColdOpen } from './cold/cold-open.js';
import { benchSizes } from './config.js';
import { kithFanoutTarget } from './fanout/kith-fanout.js';
import { peerFanoutTarget } from './fanout/peer-fanout.js';
import { runFanout, type FanoutFigures } from './fanout/fanout.js';
import { kithSystem } from './kith/kith-system.js';
import { loadAverage, machineLine } from './machine.js';
import { peersMarkdown } from './report.js';
import { yjsSystem } from './yjs/yjs-system.js';
import { surviveAutomergeReset } from './servers/survive-automerge-reset.js';

surviveAutomergeReset();
const sizes = benchSizes();
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const started = performance.now();
const loadBefore = loadAverage();
log(`bench peers: ${JSON.stringify(sizes)}; load ${loadBefore}`);

const chat: Record<'kith' | 'yjs' | 'automerge', ChatFigures[]> = { kith: [], yjs: [], automerge: [] };
const fanout: Record<'kith' | 'yjs' | 'naive', FanoutFigures[]> = { kith: [], yjs: [], naive: [] };
const { fanoutSubscribers: subs, fanoutSenders: senders, fanoutPerSender: per, messageBytes: bytes } = sizes;
for (let round = 1; round <= sizes.rounds; round++) {
  log(`round ${round}/${sizes.rounds}`);
  chat.kith.push(await runChatWorkloads(kithSystem, sizes, log));
  chat.yjs.push(await runChatWorkloads(yjsSystem, sizes, log));
  chat.automerge.push(await runChatWorkloads(automergeSystem, sizes, log));
  for (const [name, target] of [
    ['kith', () => kithFanoutTarget(senders, bytes)],
    ['yjs', () => peerFanoutTarget('y-websocket', bytes)],
    ['naive', () => peerFanoutTarget('naive', bytes)],
  ] as const) {
    const f = await runFanout(await target(), subs, senders, per);
    fanout[name].push(f);
    log(`  fan-out ${name}: ${(f.updates / (f.ms / 1000)).toFixed(0)} updates/s, ${(f.deliveries / (f.ms / 1000)).toFixed(0)} deliveries/s`);
  }
}
log('cold open (peers)');
// Written first so a run cut short later still leaves its figures.
writeFileSync(join(tmpdir(), 'kith-bench-peers.json'), JSON.stringify({ sizes, chat, fanout }));
const docs = readFileSync(fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)), 'utf8');
const cold = { yjs: peerColdOpen('yjs', sizes.coldHistory, bytes), automerge: peerColdOpen('automerge', sizes.coldHistoryAutomerge, bytes), kith: kithColdOpenFromDomainSection(docs) };
log(`  yjs ${cold.yjs.ms.toFixed(0)} ms, automerge ${cold.automerge.ms.toFixed(0)} ms`);

const md = peersMarkdown({ sizes, chat, fanout, cold, machine: machineLine(), loadBefore, loadAfter: loadAverage(), minutes: (performance.now() - started) / 60_000 });
log(md);
writeBenchSection('peers', md);
process.exit(0);
