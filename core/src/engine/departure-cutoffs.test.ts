import { describe, expect, it } from 'vitest';
import type { DeviceId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from './core.js';
import type { MemberOpBody } from '../model/membership/member-op.js';
import { createMembershipAuthorizer } from '../crypto/authorize.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createMembershipLog } from '../model/membership/membership-log.js';
import { ALICE, BOB, CREATED_AT, GROUP } from '../model/membership/membership-fixtures.js';
import { feedDocId } from '../model/doc-ids.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { contiguousCutoff, feedVerdict } from './feed-policy.js';

const opType = (payload: Uint8Array): string => (JSON.parse(new TextDecoder().decode(payload)) as { body: { type: string } }).body.type;

const DEVICE = 'd9ae1f40-2820-45f5-934f-525b8056f159' as DeviceId;
const DOC = feedDocId(GROUP, BOB, 0);
const KEY = `${DOC}|${DEVICE}`;

/** Engine verdict and crypto verdict for each counter 1..n of BOB's feed after `departure`. */
function verdicts(departure: MemberOpBody, n: number): { engine: string[]; crypto: string[] } {
  const log = createMembershipLog(GROUP);
  log.create(ALICE, { type: 'create', name: 'g', description: '', icon: null, members: [{ user: BOB, role: 'member' }] }, CREATED_AT);
  log.create(departure.type === 'leave' ? BOB : ALICE, departure, CREATED_AT + 1);
  const core = { me: ALICE, directs: new Map(), groups: new Map([[GROUP, { log }]]) } as unknown as Core;
  const authorize = createMembershipAuthorizer(() => log.state());
  const engine: string[] = [];
  const crypto: string[] = [];
  for (let counter = 1; counter <= n; counter++) {
    const change: DocChange = { doc: DOC, kind: 'update', author: BOB, device: DEVICE, counter, payload: new Uint8Array() };
    engine.push(feedVerdict(core, GROUP, DOC, change) === 'allow' ? 'ok' : 'refused');
    crypto.push(authorize({ doc: DOC, kind: 'update', author: BOB, device: DEVICE, counter, epoch: 1 }).ok ? 'ok' : 'refused');
  }
  return { engine, crypto };
}

function removeCutoff(changes: readonly DocChange[], conv: string, author: string): Record<string, number> {
  for (const c of changes) {
    if (c.doc !== `members:${conv}` || c.author !== author) continue;
    const op = JSON.parse(new TextDecoder().decode(c.payload)) as { body: { type: string; cutoff?: Record<string, number> } };
    if (op.body.type === 'remove') return op.body.cutoff ?? {};
  }
  return {};
}

describe('departure cutoffs (H2, M2)', () => {
  it('H2: a leave carries the cutoff; engine and crypto accept within it and refuse beyond, alike', () => {
    const v = verdicts({ type: 'leave', cutoff: { [KEY]: 2 } }, 4);
    console.log(`[H2] leave engine=${v.engine.join(',')} crypto=${v.crypto.join(',')}`);
    expect(v.engine).toEqual(['ok', 'ok', 'refused', 'refused']);
    expect(v.crypto).toEqual(v.engine);
    const r = verdicts({ type: 'remove', user: BOB, cutoff: { [KEY]: 1 } }, 3);
    expect(r.engine).toEqual(['ok', 'refused', 'refused']);
    expect(r.crypto).toEqual(r.engine);
  });

  it('H2: a leave without a cutoff (older encoder) accepts nothing more, in both layers', () => {
    const v = verdicts({ type: 'leave' }, 2);
    expect(v.engine).toEqual(['refused', 'refused']);
    expect(v.crypto).toEqual(v.engine);
  });

  it("H2: leaving writes the leaver's own cutoffs into the op", async () => {
    const h = await createPeerHarness({ backend: createYjsBackend(), seed: 'h2', peers: ['alice', 'bob'] });
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const g = await alice.groups.create({ name: 'g', members: [h.user('bob')] });
    await h.flush();
    await bob.messages.send(g.id, 'one');
    await bob.messages.send(g.id, 'two');
    await h.flush();
    await bob.groups.leave(g.id);
    await h.flush();
    // Bob's card (DIR-2) is a membership op too; the leave is his last.
    const leave = h.hub.changes().filter((c) => c.doc === `members:${g.id}` && c.author === h.user('bob') && opType(c.payload) === 'leave');
    expect(leave).toHaveLength(1);
    const body = (JSON.parse(new TextDecoder().decode(leave[0]!.payload)) as { body: { type: string; cutoff: Record<string, number> } }).body;
    const feedKeys = Object.entries(body.cutoff).filter(([k]) => k.startsWith('feed:'));
    console.log(`[H2] leave cutoff=${JSON.stringify(body.cutoff)}`);
    expect(body.type).toBe('leave');
    expect(feedKeys.map(([, c]) => c)).toEqual([2]);
    expect(body.cutoff[`members:${g.id}|${leave[0]!.device}`]).toBe(leave[0]!.counter);
    expect((await alice.messages.page(g.id)).map((m) => m.text)).toEqual(['one', 'two']);
  });

  it("H2: a remove's cutoff also covers the removed member's membership ops the remover holds", async () => {
    const h = await createPeerHarness({ backend: createYjsBackend(), seed: 'h2-members', peers: ['alice', 'bob'] });
    const alice = h.peer('alice');
    const g = await alice.groups.create({ name: 'g', members: [h.user('bob')] });
    await alice.groups.setRole(g.id, h.user('bob'), 'admin');
    await h.flush();
    await h.peer('bob').groups.update(g.id, { name: 'renamed by bob' });
    await h.flush();
    await alice.groups.removeMember(g.id, h.user('bob'));
    await h.flush();
    const bobOps = h.hub.changes().filter((c) => c.doc === `members:${g.id}` && c.author === h.user('bob'));
    const cutoff = alice.groups.get(g.id).former.length === 1 ? removeCutoff(h.hub.changes(), g.id, h.user('alice')) : {};
    // His card (DIR-2) and his rename: the cutoff covers both.
    expect(bobOps.map((c) => opType(c.payload))).toEqual(['card', 'info']);
    expect(cutoff[`members:${g.id}|${bobOps[0]!.device}`]).toBe(2);
  });

  it('M2: the cutoff is the contiguous watermark; counters the member skipped stay refused in both layers', () => {
    const cutoff = contiguousCutoff(new Map([[KEY, new Set([1, 2, 4, 5])], ['other|x', new Set([2])]]));
    expect(cutoff).toEqual({ [KEY]: 2 });
    const v = verdicts({ type: 'remove', user: BOB, cutoff }, 5);
    console.log(`[M2] engine=${v.engine.join(',')} crypto=${v.crypto.join(',')}`);
    expect(v.engine).toEqual(['ok', 'ok', 'refused', 'refused', 'refused']);
    expect(v.crypto).toEqual(v.engine);
  });
});
