import type { ManualClock } from './manual-clock.js';
import type { RelayHost } from './relay-host.js';
import type { FlushOptions, FlushUntil, SyncPeer } from './sync-harness-types.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Clock step when not quiet in `'upToDate'` mode: past the longest reconnect backoff (1 s). */
const RETRY_STEP_MS = 1100;

/**
 * The harness's flush: each round releases frames the links held back, lets the relay finish its
 * writes, turns the event loop, waits for every client's pending work, then checks. Three quiet
 * rounds in a row end it. An internal failure a client reported (SYNC-23, a bug) fails it. With an external relay the clients' counters must also stay the same
 * across the rounds (its frames in flight are invisible to `quiet()`).
 */
export function createFlush(
  relay: RelayHost,
  clock: ManualClock,
  peers: ReadonlyMap<string, SyncPeer>,
  defaultUntil: FlushUntil,
  internalErrors: () => readonly string[],
): (options?: FlushOptions) => Promise<number> {
  const expectNoInternalErrors = (): void => {
    const errors = internalErrors();
    if (errors.length > 0) throw new Error(`flush: a sync client reported ${errors.length} internal failure(s) (SYNC-23), first: ${errors[0]}`);
  };
  return async (options = {}) => {
    const maxRounds = options.maxRounds ?? 400;
    const until = options.until ?? defaultUntil;
    let quietRounds = 0;
    let last = '';
    for (let round = 0; round < maxRounds; round++) {
      for (const p of peers.values()) p.link.release();
      await relay.drain();
      for (let i = 0; i < 3; i++) await turn();
      for (const p of peers.values()) await p.sync.idle();
      expectNoInternalErrors();
      const quiet = [...peers.values()].every((p) => p.sync.quiet() && (until === 'quiet' || !p.online || p.sync.state === 'upToDate'));
      let calm = true;
      if (relay.kind === 'external') {
        const now = JSON.stringify([...peers.values()].map((p) => [p.sync.stats, p.kith.outbox().length]));
        calm = now === last;
        last = now;
      }
      quietRounds = quiet && calm ? quietRounds + 1 : 0;
      if (quietRounds >= 3) return round;
      if (until === 'upToDate') clock.advance(quiet ? 0 : RETRY_STEP_MS);
    }
    throw new Error(`flush: clients still busy after ${maxRounds} rounds (${describeBusy(peers)})`);
  };
}

/** Metadata only: each client's state, and for a busy one its queues, subscriptions and counters. */
function describeBusy(peers: ReadonlyMap<string, SyncPeer>): string {
  return [...peers.values()]
    .map((p) => {
      const busy = !p.sync.quiet() || p.sync.state !== 'upToDate';
      const d = busy ? p.sync.describe() : undefined;
      const subs = d === undefined ? '' : ` subs=${JSON.stringify(Object.entries(d.subs).filter(([, v]) => v !== 'ok'))} queued=${d.queued} parked=${d.parked} held=${d.held} online=${p.online} stats=${JSON.stringify(p.sync.stats)}`;
      return `${p.name}:${p.sync.state}:${p.sync.quiet() ? 'quiet' : 'busy'}${p.sync.state === 'gap' ? ` gaps=${JSON.stringify(p.kith.gaps().slice(0, 3))}` : ''}${subs}`;
    })
    .join(' ');
}
