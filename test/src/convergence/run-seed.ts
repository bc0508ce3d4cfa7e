import type { ConversationId, CrdtBackendName, UserId } from '@kith/core';
import { lookupAll, NO_FAULTS } from '@kith/core/testing';
import { createDexieHarness, type InProcessHarness } from '../harness/presets.js';
import { createTamper, tamperingKith, type Tamper } from '../harness/tampering-kith.js';
import { createHistory } from '../harness/history.js';
import { count, DOMAIN_STEPS, runDomainStep, type StepContext } from './domain-steps.js';
import { finalOracles, observeAll, oracleProblems, type OracleReport } from './oracles.js';
import { createMembershipExtent } from './membership-extent.js';
import { createDocsState, DOC_STEPS, recordMembership, runDocStep, type DocStep } from './doc-steps.js';
import { docOracles, docProblems, type DocReport } from './doc-oracles.js';

export const PEERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;

export const FAULT_STEPS = ['deliver', 'flush', 'linkFaults', 'partition', 'heal', 'restart', 'kill', 'relayRestart', 'relayFailWrites'] as const;
export type FaultStep = (typeof FAULT_STEPS)[number];

export interface SeedResult {
  readonly seed: string;
  readonly backend: CrdtBackendName;
  readonly ops: number;
  readonly faults: number;
  readonly frameFaults: number;
  /** How often each kind of step happened (domain kinds that succeeded, `fault.*`, `relay.*`, `frames.*`). */
  readonly tally: ReadonlyMap<string, number>;
  readonly report: OracleReport;
  readonly docReport: DocReport;
  readonly problems: string[];
  /** Operation log and metadata-only trace, for a failure message. */
  readonly log: string;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function injectFault(world: InProcessHarness, ctx: StepContext, step: FaultStep, trace: string[]): Promise<void> {
  const r = ctx.random;
  const name = r.pick(PEERS);
  const p = world.peer(name);
  trace.push(`fault ${step}${step === 'deliver' || step === 'flush' || step.startsWith('relay') ? '' : ` ${name}`}`);
  count(ctx, `fault.${step}`);
  switch (step) {
    case 'deliver':
      for (let i = r.int(6); i >= 0; i--) await turn();
      break;
    case 'flush':
      // A mid-run flush keeps every link's faults (lost frames included) and the relay's failing
      // writes off: it must still reach quiet. LOSSY_FLUSH=0 turns frame loss off for it.
      if (process.env['LOSSY_FLUSH'] === '0') for (const n of PEERS) world.peer(n).link.faults = { ...world.peer(n).link.faults, drop: 0 };
      if (PEERS.some((n) => world.peer(n).link.faults.drop > 0)) count(ctx, 'fault.flush.lossy');
      world.relay.setFailWrites(false);
      // A lossy network that gets better: 4 tries of 25 rounds, halving the loss after each, then
      // lossless. Under a loss that never ends a client that needs ~30 frames per session cannot
      // be expected to go quiet (automerge-1036: 399 reconnects, 9 pushes never through).
      for (let attempt = 0; ; attempt++) {
        try {
          await world.flush({ maxRounds: attempt < 4 ? 25 : 400 });
          break;
        } catch (error) {
          if (attempt >= 4) throw error;
          count(ctx, 'fault.flush.lossyRetry');
          for (const n of PEERS) {
            const l = world.peer(n).link;
            l.faults = { ...l.faults, drop: attempt === 3 ? 0 : l.faults.drop / 2 };
          }
        }
      }
      await observeAll(world, ctx);
      break;
    case 'linkFaults':
      p.link.faults = r.chance(0.3) ? { ...NO_FAULTS } : { drop: r.pick([0, 0.02, 0.1]), duplicate: r.pick([0, 0.1, 0.3]), reorder: r.pick([0, 0.1, 0.3]) };
      break;
    case 'partition':
      world.setOnline(name, false);
      break;
    case 'heal':
      for (const n of PEERS) if (!world.peer(n).online) world.setOnline(n, true);
      break;
    case 'restart':
      await world.restart(name);
      break;
    case 'kill': {
      // Killed between "sent" and "acknowledged": a send still running, frames maybe in flight.
      const op = ctx.history.invoke(name, 'send', 'in flight at kill');
      const conv = p.kith.conversations.list()[0]?.id;
      if (conv !== undefined) {
        count(ctx, 'fault.kill.inFlight');
        const author = p.kith.user;
        void p.kith.messages.send(conv, `k${op.n}`).then(
          (m) => {
            if (op.status === 'invoked') ctx.history.ack({ conv, id: m.id, author });
            else ctx.history.maybe({ conv, id: m.id, author });
            ctx.history.ok(op);
          },
          (e: unknown) => ctx.history.fail(op, e),
        );
      } else ctx.history.ok(op);
      for (let i = r.int(4); i > 0; i--) await turn();
      ctx.history.crash(name);
      await world.restart(name, { kill: true });
      break;
    }
    case 'relayRestart':
      await world.relay.restart();
      break;
    case 'relayFailWrites':
      world.relay.setFailWrites(true);
      break;
  }
}

/**
 * The steps a seed picks from: the chat domain's and the shared documents' (ADR 0025). With
 * CONVERGENCE_DOCS=0 the shared-document steps are left out (the suite as it was before them).
 */
const docSteps = (): readonly DocStep[] => (process.env['CONVERGENCE_DOCS'] === '0' ? [] : DOC_STEPS);
const isDocStep = (s: string): s is DocStep => (DOC_STEPS as readonly string[]).includes(s);

/** Whether a seed runs with small chunks (and so compaction): a stable half of the seeds. */
export function compactingSeed(seed: string): boolean {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return h % 2 === 0;
}

/** One seeded run: `steps` random steps over the whole domain and the faults, then every oracle. */
export async function runSeed(seed: string, backend: CrdtBackendName, steps: number, faultRate = 0.35, restartAll = false): Promise<SeedResult> {
  // A modified client per peer (issue 13): the steps may slip crafted changes into its stream.
  const tampers = new Map<string, Tamper>();
  const tamperOf = (name: string): Tamper => {
    let t = tampers.get(name);
    if (t === undefined) tampers.set(name, (t = createTamper()));
    return t;
  };
  // ADR 0022: every other seed runs with 2-message feed chunks, so authors close chunks and push
  // snapshots (SNAP-4) while others edit, react and catch up; the fresh-device oracle then reads
  // compacted chunks from the relay.
  const chunkMessages = compactingSeed(seed) ? 2 : undefined;
  const world = await createDexieHarness(seed, backend, { engineLink: (name, kith) => tamperingKith(kith, tamperOf(name)), ...(chunkMessages === undefined ? {} : { chunkMessages }) });
  const trace: string[] = [];
  if (process.env['CONVERGENCE_VERBOSE'] === '1') {
    const push = trace.push.bind(trace);
    trace.push = (...items: string[]): number => {
      for (const i of items) console.log(`[${seed}] ${i}`);
      return push(...items);
    };
  }
  const t: number[] = [performance.now()];
  let history: StepContext['history'] | undefined;
  try {
    for (const n of PEERS) await world.addPeer(n);
    t.push(performance.now());
    // Every peer learns every other's keys through the relay directory (as an app would).
    const users = await lookupAll(PEERS, (n) => world.peer(n));
    t.push(performance.now());
    const removedElsewhere = (conv: ConversationId, user: UserId): boolean =>
      [...world.peers.values()].some((q) => {
        if (q.kith.user === user || !q.kith.conversations.list().some((c) => c.id === conv && c.kind === 'group')) return false;
        try {
          return q.kith.groups.get(conv).former.some((m) => m.user === user);
        } catch {
          return false;
        }
      });
    const ds = createDocsState(world.random.fork('docs'));
    const ctx: StepContext = { random: world.random.fork('steps'), history: createHistory(), users, names: PEERS, blocked: new Map(), calls: new Map(), tally: new Map(), removedElsewhere, tamperOf, extent: createMembershipExtent(), onMembership: (c, u, k) => recordMembership(ds, c, u, k) };
    const stepPool = [...DOMAIN_STEPS, ...docSteps()];
    history = ctx.history;
    trace.push(`users ${PEERS.map((n) => `${n}=${users.get(n)!}`).join(' ')}`);
    let faults = 0;
    // Half the seeds start with a lossy link somewhere, so frame faults hit most runs.
    if (ctx.random.chance(0.5)) await injectFault(world, ctx, 'linkFaults', trace);
    for (let i = 0; i < steps; i++) {
      if (ctx.random.chance(faultRate)) {
        faults++;
        await injectFault(world, ctx, ctx.random.pick(FAULT_STEPS), trace);
      } else {
        const p = world.peer(ctx.random.pick(PEERS));
        const step = ctx.random.pick(stepPool);
        if (isDocStep(step)) await runDocStep(ds, ctx, (n) => world.peer(n), p, step);
        else await runDomainStep(ctx, p, step);
        if (ctx.history.ops.at(-1)?.kind === 'block') trace.push(`${p.name} blocked: ${[...(ctx.blocked.get(p.kith.user) ?? [])].join(',')} now ${p.kith.contacts.list().filter((c) => c.status === 'blocked').length}`);
      }
    }
    // Quiescence: heal everything, then let it settle.
    world.relay.setFailWrites(false);
    for (const n of PEERS) {
      world.peer(n).link.faults = { ...NO_FAULTS };
      if (!world.peer(n).online) world.setOnline(n, true);
    }
    t.push(performance.now());
    await world.flush();
    await observeAll(world, ctx);
    t.push(performance.now());
    const report = await finalOracles(world, ctx, restartAll);
    const docReport = await docOracles(world, ctx, ds, report.members);
    t.push(performance.now());
    if (process.env['KITH_TIMING'] === '1') console.log('timing', t.slice(1).map((x, i) => Math.round(x - t[i]!)).join(' '));
    const problems = [...oracleProblems(report), ...docProblems(docReport)];
    const f = world.faults;
    count(ctx, 'relay.refusedAppends', world.relay.stats.failedAppends);
    count(ctx, 'relay.restarts', world.relay.stats.restarts);
    count(ctx, 'frames.dropped', f.dropped);
    count(ctx, 'frames.duplicated', f.duplicated);
    count(ctx, 'frames.reordered', f.reordered);
    const log = `operations:\n${ctx.history.log(400)}\ntrace (metadata only):\n${trace.join('\n')}\nframes ${f.frames}, dropped ${f.dropped}, duplicated ${f.duplicated}, reordered ${f.reordered}, relay restarts ${world.relay.stats.restarts}, refused appends ${world.relay.stats.failedAppends}`;
    const snapshots = [...tampers.values()].reduce((n, x) => n + x.snapshots, 0);
    if (snapshots > 0) ctx.tally.set('compaction.snapshots', snapshots);
    return { seed, backend, ops: ctx.history.ops.length, faults, frameFaults: f.dropped + f.duplicated + f.reordered, tally: ctx.tally, report, docReport, problems, log };
  } catch (error) {
    const log = `operations:\n${history?.log(400) ?? ''}\ntrace (metadata only):\n${trace.join('\n')}`;
    throw new Error(`seed=${seed} backend=${backend} steps=${steps} threw: ${String(error)}\n${log}`, { cause: error });
  } finally {
    await world.close();
  }
}
