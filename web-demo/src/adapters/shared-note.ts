import { createDocAwareness } from '@kith/core';
import type { ConversationId, Kith, SyncClient, UserId } from '@kith/core';
import { yjsSharedDocs } from '@kith/core/yjs';
import type { NoteCursor, SharedNote } from './client.js';
import { mapIndex, spliceDelta, type DeltaOp } from './note-delta.js';

/** The shared document each conversation has for its note (issue 18 § demo), and its text. */
const NOTE = 'note';
const BODY = 'body';
/** Marks this tab's own edits, so the observer skips them. */
const LOCAL = Symbol('note-local');
const MAX_CURSOR_BYTES = 64;

/**
 * A conversation's shared note: a `Y.Text` in `kith.docs.open(conv, 'note', { backend:
 * yjsSharedDocs })`, and the other members' cursors over `createDocAwareness` (ephemeral sealed
 * signals, never stored). A cursor message is `{"i":<index>,"n":<length of the sender's text>}`
 * (i = −1: gone); the name shown is the sender's as this device knows them, never one the message
 * claims. Signals outrun document updates, so a cursor whose `n` is not this text's length is
 * from another state of the text: it is shown at its index (clamped) until this text has that
 * length, and moved with later changes only from then on. The sender tells its caret again
 * after every change from others (at most every 50 ms), so at rest every marker is exact.
 */
export async function openSharedNote(kith: Kith, sync: SyncClient, conversation: ConversationId, nameOf: (u: UserId) => string): Promise<SharedNote> {
  const shared = await kith.docs.open(conversation, NOTE, { backend: yjsSharedDocs });
  const awareness = createDocAwareness({ engine: kith, sync, doc: shared.id });
  const changeListeners = new Set<(text: string, map: (index: number) => number) => void>();
  const cursorListeners = new Set<() => void>();
  const cursors = new Map<string, NoteCursor>();
  let text = shared.doc.getText(BODY);
  let mine = 0;
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  // Cursors with n ≠ this text's length: not yet in step, held at their raw index.
  const pending = new Map<string, { readonly n: number; readonly raw: number }>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sendNow = (index: number): void => void awareness.send(enc.encode(JSON.stringify({ i: index, n: text.length })));
  const send = (): void => {
    timer ??= setTimeout(() => {
      timer = undefined;
      sendNow(mine);
    }, 50);
  };
  const settle = (): void => {
    for (const [k, { n, raw }] of pending) {
      const c = cursors.get(k);
      if (c !== undefined) cursors.set(k, { ...c, index: Math.min(raw, text.length) });
      if (c === undefined || n === text.length) pending.delete(k);
    }
  };
  const moveCursors = (delta: readonly DeltaOp[]): void => {
    for (const [k, c] of cursors) if (!pending.has(k)) cursors.set(k, { ...c, index: mapIndex(delta, c.index) });
  };
  const emitCursors = (): void => {
    for (const l of cursorListeners) l();
  };
  const observer = (event: { readonly changes: { readonly delta: readonly DeltaOp[] } }, origin: unknown): void => {
    if (origin === LOCAL) return;
    const delta = event.changes.delta;
    moveCursors(delta);
    // My caret moved with their text: tell them where it is in the text we now share.
    mine = mapIndex(delta, mine);
    send();
    settle();
    const now = text.toJSON();
    for (const l of changeListeners) l(now, (i) => mapIndex(delta, i));
    emitCursors();
  };
  const observe = (): void => text.observe((event, tr) => observer(event, tr.origin));
  observe();
  const stopReplaced = shared.onReplaced((doc) => {
    text = doc.getText(BODY);
    observe();
    const now = text.toJSON();
    for (const l of changeListeners) l(now, (i) => Math.min(i, now.length));
  });

  const stopAwareness = awareness.on((e) => {
    if (e.payload.length > MAX_CURSOR_BYTES) return;
    let message: { i?: unknown; n?: unknown };
    try {
      message = JSON.parse(dec.decode(e.payload)) as { i?: unknown; n?: unknown };
    } catch {
      return; // not a cursor message
    }
    const { i: index, n } = message;
    const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (index !== -1 && !count(index)) return;
    if (!count(n)) return;
    const key = `${e.from}/${e.device}`;
    const known = cursors.has(key);
    if (index === -1) {
      cursors.delete(key);
      pending.delete(key);
    } else {
      cursors.set(key, { key, user: e.from, name: nameOf(e.from), index: Math.min(index, text.length) });
      if (n === text.length) pending.delete(key);
      else pending.set(key, { n, raw: index });
      // Someone new in the note has not seen my cursor yet.
      if (!known) send();
    }
    emitCursors();
  });
  send();

  return {
    text: () => text.toJSON(),
    edit(from, deleteCount, insert) {
      if (!shared.canWrite()) throw new Error('You can no longer edit this note.');
      text.doc?.transact(() => {
        if (deleteCount > 0) text.delete(from, deleteCount);
        if (insert !== '') text.insert(from, insert);
      }, LOCAL);
      moveCursors(spliceDelta(from, deleteCount, insert));
      settle();
      emitCursors();
    },
    onChange(l) {
      changeListeners.add(l);
      return () => void changeListeners.delete(l);
    },
    cursors: () => [...cursors.values()].sort((a, b) => a.index - b.index),
    onCursors(l) {
      cursorListeners.add(l);
      return () => void cursorListeners.delete(l);
    },
    setCursor(index) {
      if (index === mine) return;
      mine = index;
      send();
    },
    close() {
      clearTimeout(timer);
      sendNow(-1);
      stopAwareness();
      stopReplaced();
      awareness.close();
      shared.close();
    },
  };
}
