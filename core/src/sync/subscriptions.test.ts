import { describe, expect, it } from 'vitest';
import type { ClientRuntime } from './client-runtime.js';
import type { KeyStore } from '../session/key-store.js';
import type { ClientFrame } from '../protocol/relay/frames.js';
import { createSubscriptions } from './subscriptions.js';

function harness(docs: string[], tokens: string[] = ['a'.repeat(24), 'b'.repeat(24)], pendingClaims: ReadonlySet<string> = new Set()) {
  const sent: Array<Extract<ClientFrame, { t: 'sub' }>> = [];
  const jobs: Array<() => Promise<void>> = [];
  const later: Array<() => void> = [];
  let authed = true;
  let id = 1;
  const rt: ClientRuntime = {
    send(frame) {
      if (!authed) return false;
      if (frame.t === 'sub') sent.push(frame);
      return true;
    },
    nextId: () => id++,
    authed: () => authed,
    token: () => 'session',
    enqueue: (fn) => void jobs.push(fn),
  };
  const keys = { tokens: () => tokens } as unknown as KeyStore;
  const subs = createSubscriptions({ rt, keys, cursors: new Map(), wanted: () => docs, retryLater: (fn) => void later.push(fn), claimPending: (scope) => pendingClaims.has(scope) });
  const run = async (): Promise<void> => {
    while (jobs.length > 0) await jobs.shift()!();
  };
  return { subs, sent, run, later, setAuthed: (v: boolean) => void (authed = v) };
}

describe('subscriptions (SYNC-5, SYNC-6, SYNC-18)', () => {
  it('SYNC-18: a resubscribe queued before the connection dropped is not left pending forever', async () => {
    const h = harness(['profile:x']);
    h.subs.refresh(false);
    const first = h.sent[0]!;
    h.subs.onError(first.id, 'forbidden'); // queued: subscribe with the next token
    h.setAuthed(false); // the connection drops before the job runs
    h.subs.reset();
    await h.run(); // the queued subscribe cannot be sent
    h.setAuthed(true); // reconnected and authenticated
    h.subs.refresh(true);
    expect(h.sent.length).toBe(2);
    h.subs.onOk(h.sent[1]!.id);
    await h.run();
    expect(h.subs.pending()).toBe(false);
    console.log(`SYNC-18: sub frames sent ${h.sent.length} (first refused, retry lost to a disconnect, re-sent after reconnect); pending after ok: ${h.subs.pending()}`);
  });

  it('SYNC-18: "already subscribed" (a duplicated sub) does not loop; rate_limited waits for the retry delay', async () => {
    const h = harness(['profile:x', 'profile:y']);
    h.subs.refresh(false);
    const [x, y] = h.sent as [Extract<ClientFrame, { t: 'sub' }>, Extract<ClientFrame, { t: 'sub' }>];
    h.subs.onOk(x.id);
    h.subs.onError(x.id, 'invalid_argument'); // the relay's answer to the duplicate
    h.subs.onError(y.id, 'rate_limited');
    await h.run();
    expect(h.sent.length).toBe(2); // nothing re-sent at once
    expect(h.subs.pending()).toBe(true); // y waits for its retry
    for (const fn of h.later.splice(0)) fn();
    await h.run();
    expect(h.sent.length).toBe(3);
    expect(h.sent[2]!.doc).toBe('profile:y');
    h.subs.onOk(h.sent[2]!.id);
    await h.run();
    expect(h.subs.pending()).toBe(false);
    expect(h.subs.describe()).toEqual({ 'profile:x': 'ok', 'profile:y': 'ok' });
    // Nothing is denied now: a refresh sends nothing more.
    h.subs.refresh(true);
    expect(h.sent.length).toBe(3);
    console.log(`SYNC-18: duplicate sub answered once, 0 re-sends; rate_limited re-sent once after the delay; states ${JSON.stringify(h.subs.describe())}`);
  });

  it('SYNC-24: the newest token first; one that arrives while a sub is pending is tried, not skipped; a live sub ended by a rotation goes on with the next', async () => {
    const [t1, t2, t3] = ['1'.repeat(24), '2'.repeat(24), '3'.repeat(24)];
    const tokens = [t1, t2];
    const h = harness(['members:g'], tokens);
    h.subs.refresh(false);
    expect(h.sent[0]!.cap).toBe(t2);
    tokens.push(t3); // a rotation's token arrives before the relay refuses t2
    h.subs.onError(h.sent[0]!.id, 'forbidden');
    await h.run();
    expect(h.sent[1]!.cap).toBe(t3);
    h.subs.onOk(h.sent[1]!.id);
    await h.run();
    // A later rotation ends the live sub (L2): the tokens not refused yet, newest first, then denied.
    h.subs.onError(h.sent[1]!.id, 'forbidden');
    await h.run();
    expect(h.sent[2]!.cap).toBe(t1);
    h.subs.onError(h.sent[2]!.id, 'forbidden');
    await h.run();
    expect(h.sent.length).toBe(3);
    expect(h.subs.describe()).toEqual({ 'members:g': 'denied' });
    console.log(`SYNC-24: caps tried ${h.sent.map((f) => f.cap.slice(0, 1)).join(',')}, then denied`);
  });

  it('SYNC-25: a document whose scope is still to be claimed is not subscribed (no forbidden to give its token up); the refresh after the claim subscribes it', async () => {
    const pending = new Set(['account:me', 'conv:inbox']);
    const h = harness(['account:me', 'members:inbox', 'profile:x'], ['a'.repeat(24)], pending);
    h.subs.refresh(false);
    expect(h.sent.map((f) => f.doc)).toEqual(['profile:x']);
    expect(h.subs.pending()).toBe(true);
    pending.clear(); // the claim run stored them
    h.subs.refresh(false);
    expect(h.sent.map((f) => f.doc)).toEqual(['profile:x', 'account:me', 'members:inbox']);
    for (const f of h.sent) h.subs.onOk(f.id);
    await h.run();
    expect(h.subs.describe()).toEqual({ 'profile:x': 'ok', 'account:me': 'ok', 'members:inbox': 'ok' });
  });
});
