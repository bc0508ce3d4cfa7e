import type { ConversationId, SharedDoc, SharedDocBackend, UserId } from '@kith/core';
import { yjsSharedDocs } from '@kith/core/yjs';
import type { SeededRandom, SyncPeer } from '@kith/core/testing';
import { count, type StepContext } from './domain-steps.js';

export type YDoc = ReturnType<typeof yjsSharedDocs.create>;
export type Writers = 'members' | 'admins';

/** The name every shared document of the suite has (one per conversation and rule). */
export const DOC_NAME = 'pad';

/** One shared document of a conversation that some step opened. */
export interface TrackedDoc {
  readonly key: string;
  readonly conv: ConversationId;
  readonly writers: Writers;
}

/**
 * One edit: an inserted word (unique: `<peer><n>`) or the deletion of one. Metadata the oracles
 * judge it by: who made it and when (the docs clock), the Yjs client of the document object it was
 * made on, whether the rule refused it, and whom the author's view showed as removed then.
 */
export interface DocEdit {
  readonly kind: 'insert' | 'delete';
  readonly word: string;
  readonly peer: string;
  readonly author: UserId;
  readonly doc: TrackedDoc;
  readonly clock: number;
  readonly client: number;
  readonly refused: boolean;
  /** flushed() resolved: durable and handed to sync (DOC-7). */
  acked: boolean;
  readonly seenRemoved: ReadonlySet<string>;
}

export interface MembershipEvent {
  readonly conv: ConversationId;
  readonly user: UserId;
  readonly kind: 'remove' | 'add';
  readonly clock: number;
}

/** What the shared-document steps did in one seed (the oracles read it). */
export interface DocsState {
  clock: number;
  readonly backend: SharedDocBackend<YDoc>;
  readonly docs: Map<string, TrackedDoc>;
  readonly open: Map<string, { readonly kith: object; readonly handle: SharedDoc<YDoc> }>;
  readonly edits: DocEdit[];
  readonly membership: MembershipEvent[];
}

/** Yjs documents whose client ids come from the seed, so that a replay interleaves text alike. */
function seededYjs(random: SeededRandom): SharedDocBackend<YDoc> {
  return {
    ...yjsSharedDocs,
    create() {
      const doc = yjsSharedDocs.create();
      doc.clientID = 1 + random.int(0x7fff_fffe);
      return doc;
    },
  };
}

export function createDocsState(random: SeededRandom): DocsState {
  return { clock: 0, backend: seededYjs(random), docs: new Map(), open: new Map(), edits: [], membership: [] };
}

/** Membership changes made by any step (the oracles date removals against edits). */
export function recordMembership(ds: DocsState, conv: ConversationId, user: UserId, kind: 'remove' | 'add'): void {
  ds.membership.push({ conv, user, kind, clock: ++ds.clock });
}

export const DOC_STEPS = ['docEdit', 'docEdit', 'docEdit', 'docRace'] as const;
export type DocStep = (typeof DOC_STEPS)[number];

export const DOC_REQUIRED_KINDS = [
  'doc.open',
  'doc.insert',
  'doc.delete',
  'doc.refused',
  'doc.removeRacing',
  'doc.editAfterRemoval',
  'doc.oracle.cut',
  'doc.oracle.removedCopy',
  'doc.oracle.refused',
] as const;

const trackedDoc = (ds: DocsState, conv: ConversationId, writers: Writers): TrackedDoc => {
  const key = `${conv}|${writers}`;
  let d = ds.docs.get(key);
  if (d === undefined) ds.docs.set(key, (d = { key, conv, writers }));
  return d;
};

/** This peer's open handle of `doc` in its current engine (reopened after a restart). */
export async function handleOf(ds: DocsState, ctx: Pick<StepContext, 'tally'>, p: SyncPeer, doc: TrackedDoc): Promise<SharedDoc<YDoc>> {
  const k = `${p.name}|${doc.key}`;
  const o = ds.open.get(k);
  if (o !== undefined && o.kith === p.kith) return o.handle;
  const handle = await p.kith.docs.open(doc.conv, DOC_NAME, { backend: ds.backend, writers: doc.writers });
  handle.onReplaced(() => count(ctx, 'doc.replaced'));
  ds.open.set(k, { kith: p.kith, handle });
  count(ctx, 'doc.open');
  return handle;
}

function formerIn(p: SyncPeer, conv: ConversationId): Set<string> {
  try {
    return new Set(p.kith.groups.get(conv).former.map((m) => m.user));
  } catch {
    return new Set();
  }
}

function isAdmin(p: SyncPeer, conv: ConversationId): boolean {
  try {
    return p.kith.groups.get(conv).members.some((m) => m.user === p.kith.user && m.role === 'admin');
  } catch {
    return false;
  }
}

/** The words of a text made of `word ` runs, with where each starts. */
export function wordsOf(text: string): Array<{ at: number; word: string }> {
  const out: Array<{ at: number; word: string }> = [];
  let at = 0;
  for (const w of text.split(' ')) {
    if (w !== '') out.push({ at, word: w });
    at += w.length + 1;
  }
  return out;
}

/**
 * One edit of `handle` by `p` at a seeded place: a new word inserted at a word boundary, or (a
 * third of the time, when there are words) one whole word deleted. Words stay whole under any
 * interleaving, so the oracles can reason per word. Awaits `flushed()` (acknowledged when it
 * resolves).
 */
async function editOnce(ds: DocsState, ctx: StepContext, p: SyncPeer, doc: TrackedDoc, handle: SharedDoc<YDoc>): Promise<DocEdit> {
  const r = ctx.random;
  const text = handle.doc.getText('t');
  const words = wordsOf(text.toJSON());
  const before = handle.refusedEdits;
  const client = handle.doc.clientID;
  const clock = ++ds.clock;
  let kind: 'insert' | 'delete';
  let word: string;
  if (words.length > 2 && r.chance(0.33)) {
    const w = r.pick(words);
    kind = 'delete';
    word = w.word;
    text.delete(w.at, w.word.length + 1);
  } else {
    kind = 'insert';
    word = `${p.name}${clock}`;
    const at = words.length === 0 || r.chance(0.2) ? text.length : r.pick(words).at;
    text.insert(at, `${word} `);
  }
  const refused = handle.refusedEdits > before;
  const edit: DocEdit = { kind, word, peer: p.name, author: p.kith.user, doc, clock, client, refused, acked: false, seenRemoved: formerIn(p, doc.conv) };
  ds.edits.push(edit);
  count(ctx, refused ? 'doc.refused' : `doc.${kind}`);
  try {
    await handle.flushed();
    edit.acked = true;
  } catch {
    // Not durable (a storage failure): its outcome is unknown.
  }
  return edit;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * A shared-document step. `docEdit`: `p` opens a conversation's shared document (every member, or
 * admins only — more often when `p` is not an admin, so non-writers try too) and makes 1–3 edits.
 * `docRace`: an admin `p` removes a member `q` while `q` is editing: `q` edits, `p` removes `q`
 * without waiting for anything to sync, `q` (who does not know yet) keeps editing.
 */
export async function runDocStep(ds: DocsState, ctx: StepContext, peer: (name: string) => SyncPeer, p: SyncPeer, step: DocStep): Promise<void> {
  const r = ctx.random;
  const h = ctx.history;
  const convs = p.kith.conversations.list();
  if (convs.length === 0) return;
  if (step === 'docEdit') {
    const known = convs.filter((c) => [...ds.docs.values()].some((d) => d.conv === c.id));
    const conv = (known.length > 0 && r.chance(0.7) ? r.pick(known) : r.pick(convs)).id;
    const group = convs.find((c) => c.id === conv)?.kind === 'group';
    const writers: Writers = group && r.chance(isAdmin(p, conv) ? 0.15 : 0.4) ? 'admins' : 'members';
    const doc = trackedDoc(ds, conv, writers);
    const op = h.invoke(p.name, 'docEdit', `${conv} ${writers}`);
    try {
      const handle = await handleOf(ds, ctx, p, doc);
      for (let i = r.int(3); i >= 0; i--) await editOnce(ds, ctx, p, doc, handle);
      h.ok(op);
    } catch (e) {
      h.fail(op, e);
    }
    return;
  }
  const groups = convs.filter((c) => c.kind === 'group' && isAdmin(p, c.id));
  if (groups.length === 0) return;
  const conv = r.pick(groups).id;
  let members: string[];
  try {
    members = p.kith.groups.get(conv).members.map((m) => m.user).filter((u) => u !== p.kith.user);
  } catch {
    return;
  }
  const victims = ctx.names.filter((n) => members.includes(ctx.users.get(n)!));
  if (victims.length === 0) return;
  const q = peer(r.pick(victims));
  if (!q.kith.conversations.list().some((c) => c.id === conv)) return;
  const doc = trackedDoc(ds, conv, 'members');
  const op = h.invoke(p.name, 'docRace', `${conv} ${q.name}`);
  try {
    const handle = await handleOf(ds, ctx, q, doc);
    for (let i = r.int(2); i >= 0; i--) await editOnce(ds, ctx, q, doc, handle);
    for (let i = r.int(3); i > 0; i--) await turn();
    await p.kith.groups.removeMember(conv, q.kith.user);
    recordMembership(ds, conv, q.kith.user, 'remove');
    count(ctx, 'doc.removeRacing');
    for (let i = r.int(3); i >= 0; i--) {
      if (r.chance(0.5)) await turn();
      await editOnce(ds, ctx, q, doc, handle);
      count(ctx, 'doc.editAfterRemoval');
    }
    h.ok(op);
  } catch (e) {
    h.fail(op, e);
  }
}
