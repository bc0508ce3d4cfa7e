import { chatText, type BenchSizes } from './config.js';
import type { ChatSystem } from './pair.js';
import { percentile } from './stats.js';

/** Workloads 1–3 of one system in one session (one server process, one sender, one recipient). */
export interface ChatFigures {
  /** One sender → one recipient, each message its own call, until the recipient shows all. */
  readonly sustainedPerS: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  /** A recipient `catchup` messages behind reconnects → shows the last one. */
  readonly catchupMs: number;
  /** Messages the recipient showed in all (warm-up + latency + sustained + catch-up). */
  readonly shown: number;
  readonly sent: number;
}

type Sizes = Pick<BenchSizes, 'sustained' | 'latencySamples' | 'catchup' | 'messageBytes'>;

export async function runChatWorkloads(system: ChatSystem, sizes: Sizes, log: (line: string) => void = () => undefined): Promise<ChatFigures> {
  const pair = await system.open();
  try {
    let sent = 0;
    const send = async (label: string, i: number): Promise<void> => {
      await pair.send(chatText(label, i, sizes.messageBytes));
      sent++;
    };
    await send('warm-up', 0);
    await pair.shown.until(sent, 60_000, `${system.name}: the warm-up message`);

    const lat: number[] = [];
    for (let i = 0; i < sizes.latencySamples; i++) {
      const t0 = performance.now();
      await send('latency', i);
      await pair.shown.until(sent, 30_000, `${system.name}: latency sample ${i}`);
      lat.push(performance.now() - t0);
    }

    const t1 = performance.now();
    for (let i = 0; i < sizes.sustained; i++) await send('sustained', i);
    await pair.shown.until(sent, 900_000, `${system.name}: the sustained run`);
    const sustainedPerS = sizes.sustained / ((performance.now() - t1) / 1000);
    log(`  ${system.name}: p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms; sustained ${sustainedPerS.toFixed(0)} msg/s`);

    await pair.recipientOffline();
    for (let i = 0; i < sizes.catchup; i++) await send('catch-up', i);
    await pair.serverHasAll(sent, 900_000);
    const t2 = performance.now();
    await pair.recipientOnline();
    await pair.shown.until(sent, 900_000, `${system.name}: the catch-up`);
    const catchupMs = performance.now() - t2;
    log(`  ${system.name}: catch-up of ${sizes.catchup} in ${catchupMs.toFixed(0)} ms`);
    return { sustainedPerS, latencyP50: percentile(lat, 50), latencyP99: percentile(lat, 99), catchupMs, shown: pair.shown.value, sent };
  } finally {
    await pair.close();
  }
}
