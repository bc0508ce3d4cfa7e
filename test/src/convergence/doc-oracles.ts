import * as Y from 'yjs';
import type { SharedDoc, UserId } from '@kith/core';
import type { SyncPeer } from '@kith/core/testing';
import type { InProcessHarness } from '../harness/presets.js';
import { count, type StepContext } from './domain-steps.js';
import { DOC_NAME, wordsOf, type DocEdit, type DocsState, type TrackedDoc, type YDoc } from './doc-steps.js';

/** What the shared-document oracles found (metadata only: peers, documents, words' authors and clocks). */
export interface DocReport {
  /** A current member's document (reopened, or the live handle) differs from the others'. */
  divergent: string[];
  /** An acknowledged edit of a member who was never removed is missing. */
  lost: string[];
  /** A removed member's edit after the cutoff, a refused edit, or a change made after a removal at the removed member. */
  leaked: string[];
  /** Yjs holds an update pending on something that is not a removed member's cut content. */
  stuck: string[];
}

export const docProblems = (r: DocReport): string[] => [
  ...r.divergent.map((d) => `shared doc divergent: ${d}`),
  ...r.lost.map((d) => `shared doc lost: ${d}`),
  ...r.leaked.map((d) => `shared doc leaked: ${d}`),
  ...r.stuck.map((d) => `shared doc stuck: ${d}`),
];

interface View {
  readonly peer: SyncPeer;
  readonly handle: SharedDoc<YDoc>;
  readonly live: boolean;
}

const textOf = (v: View): string => v.handle.doc.getText('t').toJSON();
const describe = (e: DocEdit): string => `${e.kind} ${e.word} by ${e.peer} at ${e.clock}`;

/**
 * After quiescence and the other oracles (so a restarted peer and the fresh device are in the
 * world): every peer that lists a tracked document's conversation opens it anew; then, per
 * document —
 * - every current member's reopened document and live handle show one text (DOC-4/5/7);
 * - every acknowledged insert of a member who was never removed from the conversation is there
 *   unless someone deleted it, or Yjs holds it pending behind a removed member's cut change
 *   (its document object's client is among the pending ones — Yjs cannot retract, ADR 0025);
 *   any pending update must wait for a removed member's content only;
 * - an edit of a removed member made after every removal of them (none re-added them) is nowhere;
 * - a refused edit (I may not write, `refusedEdits` counted it) is nowhere, its author included;
 * - a removed member's own copy holds no insert made by someone whose view already showed the
 *   removal (and nobody re-added them since).
 */
export async function docOracles(world: InProcessHarness, ctx: StepContext, ds: DocsState, members: ReadonlyMap<string, ReadonlySet<string>>): Promise<DocReport> {
  const report: DocReport = { divergent: [], lost: [], leaked: [], stuck: [] };
  const views = new Map<string, View[]>();
  for (const doc of ds.docs.values()) {
    const list: View[] = [];
    for (const p of world.peers.values()) {
      if (!p.kith.conversations.list().some((c) => c.id === doc.conv)) continue;
      try {
        list.push({ peer: p, handle: await p.kith.docs.open(doc.conv, DOC_NAME, { backend: ds.backend, writers: doc.writers }), live: false });
      } catch {
        // A conversation this peer cannot open documents of (its view of it is gone).
      }
      const o = ds.open.get(`${p.name}|${doc.key}`);
      if (o !== undefined && o.kith === p.kith) list.push({ peer: p, handle: o.handle, live: true });
    }
    views.set(doc.key, list);
  }
  await world.flush();
  for (const doc of ds.docs.values()) check(doc, views.get(doc.key) ?? [], members.get(doc.conv), ds, ctx, report);
  for (const list of views.values()) for (const v of list) if (!v.live) v.handle.close();
  return report;
}

function check(doc: TrackedDoc, views: readonly View[], current: ReadonlySet<string> | undefined, ds: DocsState, ctx: StepContext, report: DocReport): void {
  if (current === undefined) return;
  const inside = views.filter((v) => current.has(v.peer.kith.user));
  const ref = inside.find((v) => !v.live);
  if (ref === undefined) return;
  const refText = textOf(ref);
  for (const v of inside) {
    // DOC-13: a non-writer's own live document still shows what it was refused (until it may write).
    if (v.live && !v.handle.canWrite() && v.handle.refusedEdits > 0) continue;
    if (textOf(v) !== refText) report.divergent.push(`${v.peer.name}${v.live ? ' (live handle)' : ''} differs from ${ref.peer.name} in ${doc.key}: ${JSON.stringify(textOf(v))} vs ${JSON.stringify(refText)}`);
  }
  const words = new Set(wordsOf(refText).map((w) => w.word));
  const edits = ds.edits.filter((e) => e.doc === doc);
  const events = ds.membership.filter((m) => m.conv === doc.conv);
  const everRemoved = new Set(events.filter((m) => m.kind === 'remove').map((m) => m.user as string));
  const cutClients = new Set(edits.filter((e) => everRemoved.has(e.author)).map((e) => e.client));
  // Yjs: an update whose dependencies never arrive stays pending, with every later one of its client.
  const pending = ref.handle.doc.store.pendingStructs;
  const stuckClients = new Set<number>();
  if (pending !== null) {
    for (const [client] of Y.parseUpdateMeta(pending.update).from) stuckClients.add(client);
    for (const [client] of pending.missing) {
      if (!cutClients.has(client)) report.stuck.push(`${doc.key}: pending on client ${client}, not a removed member's`);
    }
  }
  const deleted = new Set(edits.filter((e) => e.kind === 'delete' && !e.refused).map((e) => e.word));
  for (const e of edits) {
    if (e.kind !== 'insert' || e.refused || !e.acked || everRemoved.has(e.author) || !current.has(e.author) || deleted.has(e.word)) continue;
    if (words.has(e.word)) continue;
    if (stuckClients.has(e.client)) count(ctx, 'doc.stuckBehindCut');
    else report.lost.push(`${describe(e)} missing in ${doc.key}`);
  }
  const laterEvent = (user: UserId, clock: number, kind?: 'add'): boolean => events.some((m) => m.user === user && m.clock > clock && (kind === undefined || m.kind === kind));
  const removedBefore = (user: UserId, clock: number): boolean => events.some((m) => m.user === user && m.kind === 'remove' && m.clock < clock);
  for (const e of edits) {
    if (e.kind !== 'insert') continue;
    if (e.refused) {
      count(ctx, 'doc.oracle.refused');
      for (const v of views) if (!v.live && wordsOf(textOf(v)).some((w) => w.word === e.word)) report.leaked.push(`refused ${describe(e)} shows at ${v.peer.name}`);
      continue;
    }
    if (removedBefore(e.author, e.clock) && !laterEvent(e.author, e.clock) && !current.has(e.author)) {
      count(ctx, 'doc.oracle.cut');
      if (words.has(e.word)) report.leaked.push(`${describe(e)}, made after its author's removal, shows at the members`);
    }
  }
  for (const v of views) {
    const user = v.peer.kith.user;
    if (v.live || current.has(user) || !everRemoved.has(user)) continue;
    const theirs = new Set(wordsOf(textOf(v)).map((w) => w.word));
    for (const e of edits) {
      if (e.kind !== 'insert' || e.author === user || !e.seenRemoved.has(user) || laterEvent(user, e.clock, 'add')) continue;
      count(ctx, 'doc.oracle.removedCopy');
      if (theirs.has(e.word)) report.leaked.push(`${describe(e)}, made after ${v.peer.name}'s removal was known, reached ${v.peer.name} in ${doc.key} (membership: ${events.filter((m) => m.user === user).map((m) => `${m.kind}@${m.clock}`).join(' ')})`);
    }
  }
}
