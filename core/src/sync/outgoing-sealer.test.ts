import { describe, expect, it } from 'vitest';
import { fail, ok, type Result } from '../errors.js';
import type { DeviceId, DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createOutgoingSealer } from './outgoing-sealer.js';

const ME = 'carol' as UserId;
const change = (doc: string, counter: number): DocChange => ({ doc: doc as DocId, kind: 'update', author: ME, device: 'd1' as DeviceId, counter, payload: new Uint8Array([counter]) });

/**
 * SYNC-21 (convergence seeds automerge-1283, automerge-1517, yjs-1623): a member wrote to a group
 * after she was removed but before she learnt it; by the time the change was sealed she knew,
 * `checkSendable` said `not_a_member` on every retry and the change sat in the outbox for good,
 * blocking every later change of its document. Now it leaves as undeliverable.
 */
describe('outgoing sealer (SYNC-21)', () => {
  const setup = (removedFrom: Set<string>, noKeyYet: Set<string>) => {
    const sealed: string[] = [];
    const dropped: string[] = [];
    const session = {
      sealOutgoing: (input: DocChange | readonly DocChange[]): Promise<Result<void>> => {
        const run: readonly DocChange[] = Array.isArray(input) ? (input as readonly DocChange[]) : [input as DocChange];
        const c = run[0]!;
        if (removedFrom.has(c.doc)) return Promise.resolve(fail('not_a_member', 'only members send to a conversation'));
        if (noKeyYet.has(c.doc)) return Promise.resolve(fail('unknown_epoch', 'no key yet'));
        for (const x of run) sealed.push(`${x.doc}|${x.counter}`);
        return Promise.resolve(ok(undefined));
      },
      departed: (c: DocChange): boolean => removedFrom.has(c.doc),
    };
    const sealer = createOutgoingSealer(session, () => false, (c) => {
      dropped.push(`${c.doc}|${c.counter}`);
      return Promise.resolve();
    });
    return { sealer, sealed, dropped };
  };

  it('a change its author can never send leaves (undeliverable) instead of being held for good', async () => {
    const removed = new Set(['feed:g:carol:0']);
    const { sealer, sealed, dropped } = setup(removed, new Set());
    await sealer.seal(change('feed:g:carol:0', 2));
    await sealer.seal(change('feed:h:carol:0', 1));
    await sealer.seal(); // a later retry finds nothing left
    console.log(`sync-21 sealer: sealed ${sealed.length}, undeliverable ${dropped.length}, held ${sealer.held}`);
    expect(dropped).toEqual(['feed:g:carol:0|2']);
    expect(sealed).toEqual(['feed:h:carol:0|1']);
    expect(sealer.held).toBe(0);
  });

  it('a change merely waiting (no key yet) is still held, in order, and later changes wait behind it', async () => {
    const noKey = new Set(['feed:g:carol:0']);
    const { sealer, sealed, dropped } = setup(new Set(), noKey);
    await sealer.seal(change('feed:g:carol:0', 1));
    await sealer.seal(change('feed:g:carol:0', 2));
    expect(sealer.held).toBe(2);
    expect(dropped).toEqual([]);
    noKey.clear();
    await sealer.seal();
    expect(sealed).toEqual(['feed:g:carol:0|1', 'feed:g:carol:0|2']);
    expect(sealer.held).toBe(0);
  });

  it('held changes of a conversation the author is then removed from all leave, in counter order', async () => {
    const noKey = new Set(['feed:g:carol:0']);
    const removed = new Set<string>();
    const { sealer, sealed, dropped } = setup(removed, noKey);
    await sealer.seal(change('feed:g:carol:0', 1));
    await sealer.seal(change('feed:g:carol:0', 2));
    noKey.clear();
    removed.add('feed:g:carol:0'); // she learns of her removal before the key ever came
    await sealer.seal();
    expect(dropped).toEqual(['feed:g:carol:0|1', 'feed:g:carol:0|2']);
    expect(sealed).toEqual([]);
    expect(sealer.held).toBe(0);
  });

  it('resume seals the outbox changes never queued (a crash before sealing), oldest first, and skips the queued ones', async () => {
    const sealed: string[] = [];
    const session = {
      sealOutgoing: (c: DocChange): Promise<Result<void>> => {
        sealed.push(`${c.doc}|${c.counter}`);
        return Promise.resolve(ok(undefined));
      },
      departed: (): boolean => false,
    };
    const queuedKeys = new Set([`feed:g:carol:0|d1|2`]);
    const sealer = createOutgoingSealer(session, (key) => queuedKeys.has(key));
    await sealer.resume([change('feed:g:carol:0', 1), change('feed:g:carol:0', 2), change('feed:g:carol:0', 3)]);
    expect(sealed).toEqual(['feed:g:carol:0|1', 'feed:g:carol:0|3']);
    expect(sealer.held).toBe(0);
  });
});

/** KEY-10 (seed yjs-164): an own membership op waiting in the sealer holds back later content of its conversation. */
describe('outgoing sealer (KEY-10)', () => {
  const member = (conv: string, counter: number): DocChange => ({ ...change(`members:${conv}`, counter), kind: 'member' });
  const setup = (busyDocs: Set<string>, noKeyYet: Set<string>) => {
    const sealed: string[] = [];
    const session = {
      sealOutgoing: (input: DocChange | readonly DocChange[]): Promise<Result<void>> => {
        const run: readonly DocChange[] = Array.isArray(input) ? (input as readonly DocChange[]) : [input as DocChange];
        if (noKeyYet.has(run[0]!.doc)) return Promise.resolve(fail('unknown_epoch', 'no key yet'));
        for (const x of run) sealed.push(`${x.doc}|${x.counter}`);
        return Promise.resolve(ok(undefined));
      },
      departed: (): boolean => false,
    };
    const sealer = createOutgoingSealer(session, () => false, undefined, (doc) => busyDocs.has(doc));
    return { sealer, sealed };
  };

  it('a removal op behind its log\'s push in flight holds back the later feed change and shared-document edit of its group, not another group\'s', async () => {
    const busy = new Set(['members:g']);
    const { sealer, sealed } = setup(busy, new Set());
    await sealer.seal(member('g', 5));
    await sealer.seal(change('doc:g:pad:0', 1));
    await sealer.seal(change('feed:g:carol:0', 2));
    await sealer.seal(change('feed:h:carol:0', 1));
    expect(sealed).toEqual(['feed:h:carol:0|1']);
    expect(sealer.held).toBe(3);
    busy.clear(); // the earlier push was acknowledged
    await sealer.seal();
    expect(sealed).toEqual(['feed:h:carol:0|1', 'members:g|5', 'doc:g:pad:0|1', 'feed:g:carol:0|2']);
    expect(sealer.held).toBe(0);
  });

  it('a held membership op (no key yet) holds back later content of its group; content written before it goes first', async () => {
    const noKey = new Set(['members:g']);
    const { sealer, sealed } = setup(new Set(), noKey);
    await sealer.seal(change('feed:g:carol:0', 1));
    await sealer.seal(member('g', 2));
    await sealer.seal(change('feed:g:carol:0', 2));
    expect(sealed).toEqual(['feed:g:carol:0|1']);
    noKey.clear();
    await sealer.seal();
    expect(sealed).toEqual(['feed:g:carol:0|1', 'members:g|2', 'feed:g:carol:0|2']);
  });
});
