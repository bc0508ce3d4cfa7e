import type { Storage, StorageWrite } from '../ports/storage.js';
import type { DocChange } from '../protocol/doc-change.js';
import { decodeEnvelope, type Envelope } from '../protocol/envelope.js';
import type { Result } from '../errors.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { Identity } from '../crypto/identity.js';
import { deviceIdToBytes } from '../crypto/identity.js';
import { bytesEqual } from '../crypto/secret-key.js';
import { decodeBase64 as fromBase64, encodeBase64 as toBase64 } from '../protocol/base64.js';
import type { ClientRuntime } from './client-runtime.js';
import type { CounterStore } from '../session/counter-store.js';
import type { SecureSession } from '../session/secure-session.js';
import type { SyncStats, VetChange } from './sync-types.js';
import { nextChunk } from './wanted-docs.js';

/**
 * Refusals that a later key or membership change can turn into success: the envelope is parked
 * (bounded, H3) instead of dropped. `decrypt_failed` is one of them: both sides of a direct
 * conversation may create a pair key before either hears from the other, so an envelope can
 * arrive sealed under the peer's candidate key before the intro carrying that key (KEY-8).
 */
const RETRY_CODES = new Set(['unknown_epoch', 'unknown_conversation', 'not_a_member', 'decrypt_failed']);
/**
 * M1: refusals after opening that say "not now" rather than "never": the engine is full
 * (`rate_limited`: MAX_HELD held changes or too many unknown groups) or the decode sandbox is
 * unavailable (`closed`). The counter is NOT recorded and the envelope is parked; any other
 * refusal records the counter (a replay of it is recognised) and drops the envelope.
 */
const TRANSIENT_CODES = new Set(['rate_limited', 'closed']);
/** SYNC-25: own echoes whose cursor advance may wait for the next cursor commit. */
export const LAZY_CURSOR_ENTRIES = 256;
/** H3: parked envelopes kept per (doc, author). */
export const MAX_PARKED_PER_AUTHOR = 64;

/**
 * Entries from the relay → the engine (SYNC-2, SYNC-13, SYNC-16): intros to the intro handler,
 * everything else opened (counter not recorded yet), vetted, given to the engine, and only then
 * recorded. Entries that arrive together are applied in one job; parked ones are retried after
 * anything applied; cursors and counters are persisted together after each job, never past a
 * parked entry.
 */
export interface InboundApplier {
  onEntries(doc: string, entries: ReadonlyArray<{ seq: number; env: string }>): void;
  readonly parked: number;
}

export interface InboundDeps {
  readonly rt: ClientRuntime;
  readonly identity: Identity;
  readonly session: SecureSession;
  readonly handleIntro: (bytes: Uint8Array) => Result<{ writes: StorageWrite[]; follow: string[] }>;
  readonly engine: EngineLink;
  readonly storage: Storage;
  readonly vet: VetChange | undefined;
  readonly stats: SyncStats;
  readonly counters: CounterStore;
  readonly cursors: Map<string, number>;
  readonly follows: Set<string>;
  readonly chunks: Set<string>;
  /** After a job applied something (keys or membership may have changed): re-plan, seal, look up. */
  readonly onApplied: () => Promise<void>;
  /** At the end of every job: subscriptions (retrying denied ones if something applied), pushes. */
  readonly afterBatch: (applied: boolean) => void;
  /** SYNC-19: read `doc` again from its cursor (lowered below an envelope that did not fit). */
  readonly rewind: (doc: string) => void;
}

/**
 * A relay entry decoded once: its bytes (an intro is opened from them) and, for any other
 * document, its envelope (undefined when it does not decode: dropped).
 */
interface Entry {
  readonly bytes: Uint8Array;
  readonly envelope: Envelope | undefined;
}

async function sequential(vet: VetChange, changes: readonly DocChange[]): Promise<Array<Result<void>>> {
  const out: Array<Result<void>> = [];
  for (const c of changes) out.push(await vet(c));
  return out;
}

function decodeEntry(doc: string, env: string, inbox: string): Entry | undefined {
  const bytes = fromBase64(env);
  if (bytes === undefined) return undefined;
  if (doc === inbox) return { bytes, envelope: undefined };
  const d = decodeEnvelope(bytes);
  return { bytes, envelope: d.ok ? d.value : undefined };
}

export function createInboundApplier(deps: InboundDeps): InboundApplier {
  const { rt, identity, session, engine, storage, stats, cursors, follows, chunks } = deps;
  const myDevice = deviceIdToBytes(identity.device);
  /** Parked envelopes keep their decoded form: a retry opens them without decoding again. */
  const parked: Array<{ doc: string; seq: number; entry: Entry; author: string }> = [];
  /** M1: per doc, the lowest seq of a deferred envelope that did not fit the parked bound. */
  const floors = new Map<string, number>();
  const isMine = (e: Envelope): boolean => bytesEqual(e.device, myDevice) && bytesEqual(e.author, identity.public.signingKey);

  /**
   * The vet results of a range's changes, in order (undefined: not vetted — membership ops).
   * BATCH-10: one sandbox round trip per range (`vet.range`), not one per change.
   */
  const vetAll = async (changes: readonly DocChange[]): Promise<ReadonlyArray<Result<void> | undefined>> => {
    const vet = deps.vet;
    if (vet === undefined) return [];
    const vettable = changes.filter((c) => c.kind !== 'member');
    const results: ReadonlyArray<Result<void>> = vet.range !== undefined && vettable.length > 1 ? await vet.range(vettable) : await sequential(vet, vettable);
    let k = 0;
    return changes.map((c) => (c.kind === 'member' ? undefined : results[k++]));
  };
  /** `defer`: opened but refused for now (M1), counter not recorded; parked like `park`. */
  const applyEnvelope = async (doc: string, entry: Entry): Promise<'ok' | 'mine' | 'park' | 'defer' | 'drop'> => {
    if (doc === session.inbox) {
      const r = deps.handleIntro(entry.bytes);
      if (!r.ok) return 'drop';
      stats.intros++;
      const writes = [...r.value.writes];
      for (const f of r.value.follow) if (!follows.has(f)) {
        follows.add(f);
        writes.push({ type: 'putMeta', key: `sync/follow/${f}`, value: true });
      }
      await storage.commit(writes);
      return 'ok';
    }
    // One decode per envelope (ADR 0014 addendum): the decoded value goes to the session.
    const envelope = entry.envelope;
    if (envelope === undefined) return 'drop';
    // SYNC-5: chunk n+1 is followed after an entry of chunk n, mine too (my own closed chunks need
    // a cursor for their snapshot's `supersedes`, SNAP-4; my other devices write there as well).
    const following = nextChunk(doc);
    if (following !== undefined && isMine(envelope)) chunks.add(following);
    if (isMine(envelope)) return 'mine';
    const r = session.open(envelope);
    if (!r.ok) return RETRY_CODES.has(r.error.code) ? 'park' : 'drop';
    const opened = r.value;
    const settle = async (taken: number): Promise<void> => {
      const c = await session.accept(opened, taken);
      if (!c.ok && c.error.code === 'equivocation') stats.equivocations++;
    };
    const next = nextChunk(doc);
    if (next !== undefined) chunks.add(next);
    // BATCH-6: a range's changes are vetted (BATCH-10: in one sandbox round trip), authorized and
    // applied one by one, in counter order
    // (a v1 envelope is a range of one); its counters are recorded once, after the last. A
    // transient refusal defers the whole envelope: the changes given to the engine before it are
    // duplicates when it opens again.
    let taken = 0;
    const vetted = await vetAll(opened.changes);
    for (const [i, change] of opened.changes.entries()) {
      const v = vetted[i];
      if (v !== undefined) {
        if (!v.ok) {
          if (TRANSIENT_CODES.has(v.error.code)) return 'defer';
          engine.quarantine(change, v.error.code); // SBX-7: recorded, attributed, not a gap
          continue;
        }
      }
      const applied = engine.receive(change);
      if (!applied.ok) {
        if (TRANSIENT_CODES.has(applied.error.code)) return 'defer';
        stats.refused++;
        continue;
      }
      taken++;
    }
    await settle(taken);
    stats.received += taken;
    if (taken > 0) stats.envelopes++;
    return taken > 0 ? 'ok' : 'drop';
  };
  const retryParked = async (): Promise<boolean> => {
    let progress = false;
    for (let i = 0; i < parked.length; ) {
      const p = parked[i]!;
      const r = await applyEnvelope(p.doc, p.entry);
      if (r === 'park' || r === 'defer') i++;
      else {
        parked.splice(i, 1);
        progress = true;
      }
    }
    return progress;
  };
  /**
   * Cursors and counters go into the engine's commit order (`commitAfterReceived`): durable only
   * after every change this job gave the engine, with no `idle()` handshake across layers.
   */
  const persistCursors = async (docs: Iterable<string>): Promise<void> => {
    const writes: StorageWrite[] = [];
    for (const doc of docs) {
      const low = parked.filter((p) => p.doc === doc).reduce((m, p) => Math.min(m, p.seq - 1), (floors.get(doc) ?? Infinity) - 1);
      const seq = Math.min(cursors.get(doc) ?? 0, low);
      writes.push({ type: 'putMeta', key: `sync/cursor/${doc}`, value: seq });
    }
    // M6: the counters of what was opened go with the cursors (a restart never re-opens as new
    // an envelope it already gave the engine, whatever the relay replays).
    writes.push(...deps.counters.takeWrites());
    if (writes.length > 0) await engine.commitAfterReceived(writes);
  };
  const park = (doc: string, seq: number, entry: Entry, deferred: boolean): void => {
    // H3: at most MAX_PARKED_PER_AUTHOR per (doc, author) are held in memory. Beyond that:
    // - in a document only its author writes (feeds, profiles, contact sides — the relay checks
    //   the signer, NOT_THE_AUTHOR), the envelope is not lost (SYNC-19): the doc's floor stays
    //   before it, so the persisted cursor never passes it, and once parked envelopes open (keys
    //   or membership learnt) the doc is read again from there; junk only pins its author's own doc;
    // - in a shared document (`members:`, `keys:`), where anyone may push, it is dropped and the
    //   cursor moves past it, unless it was deferred (M1: signed, authorized, refused only for now).
    if (parked.some((p) => p.doc === doc && p.seq === seq)) return;
    const author = entry.envelope === undefined ? '' : toBase64(entry.envelope.author);
    if (parked.filter((p) => p.doc === doc && p.author === author).length >= MAX_PARKED_PER_AUTHOR) {
      const shared = doc.startsWith('members:') || doc.startsWith('keys:');
      if (shared && !deferred) stats.rejected++;
      else if (seq < (floors.get(doc) ?? Infinity)) floors.set(doc, seq);
    } else {
      parked.push({ doc, seq, entry, author });
      stats.parked++;
    }
  };
  /**
   * SYNC-25: docs whose cursor moved past this device's own envelopes only (the relay's echo of
   * what it pushed): nothing was learnt, so nothing is re-planned and the cursor is not committed
   * on its own — it rides with the next cursor commit, or after LAZY_CURSOR_ENTRIES such entries.
   * A crash before then reads those entries again (own: skipped), never loses one.
   */
  const lazy = new Set<string>();
  let lazyEntries = 0;
  const inbound = new Map<string, Array<{ seq: number; env: string }>>();
  let draining = false;
  return {
    get parked() {
      return parked.length;
    },
    onEntries(doc, entries) {
      const list = inbound.get(doc) ?? [];
      list.push(...entries);
      inbound.set(doc, list);
      if (draining) return;
      draining = true;
      rt.enqueue(async () => {
        draining = false;
        const batch = [...inbound];
        inbound.clear();
        let changed = false;
        const eager: string[] = [];
        for (const [d, list] of batch) {
          let others = false;
          let mine = 0;
          for (const e of list) {
            if (e.seq <= (cursors.get(d) ?? 0)) continue;
            const entry = decodeEntry(d, e.env, session.inbox);
            const r = entry === undefined ? 'drop' : await applyEnvelope(d, entry);
            if (r === 'defer') stats.deferred++;
            if (r === 'mine') mine++;
            else others = true;
            if ((r === 'park' || r === 'defer') && entry !== undefined) park(d, e.seq, entry, r === 'defer');
            else if (r === 'drop') stats.rejected++;
            else if (r === 'ok') changed = true;
            cursors.set(d, e.seq);
          }
          if (others) eager.push(d);
          else if (mine > 0) {
            lazy.add(d);
            lazyEntries += mine;
          }
        }
        if (changed) {
          let opened = false;
          while (await retryParked()) {
            // keys or membership learnt: parked envelopes may open now
            opened = true;
          }
          await deps.onApplied();
          // SYNC-19: parked envelopes opened, so room was made: read again what did not fit.
          // Only after such progress (finite), never in a loop on the same refusals.
          if (opened) {
            for (const [doc, floor] of [...floors]) {
              floors.delete(doc);
              cursors.set(doc, Math.min(cursors.get(doc) ?? 0, floor - 1));
              deps.rewind(doc);
            }
          }
        }
        if (eager.length > 0 || lazyEntries >= LAZY_CURSOR_ENTRIES || deps.counters.pending > 0) {
          await persistCursors(new Set([...eager, ...lazy]));
          lazy.clear();
          lazyEntries = 0;
        }
        deps.afterBatch(changed);
      });
    },
  };
}
