import { describe, expect, it } from 'vitest';
import { checkHistory, createHistory, type FinalView, type History } from './history.js';

const members = new Map([['c1', new Set(['A', 'B'])]]);
const users = new Map([
  ['alice', 'A'],
  ['bob', 'B'],
]);

function sent(): History {
  const h = createHistory();
  for (const id of ['m1', 'm2', 'm3']) {
    const op = h.invoke('alice', 'send', `c1 ${id}`);
    h.ok(op);
    h.ack({ conv: 'c1', id, author: 'A' });
  }
  return h;
}

const view = (peer: string, ids: string[]): FinalView => ({ peer, conv: 'c1', messages: ids.map((id) => ({ id, author: 'A' })) });

describe('history checker', () => {
  it('passes a good history', () => {
    const r = checkHistory(sent(), [view('alice', ['m1', 'm2', 'm3']), view('bob', ['m1', 'm2', 'm3'])], members, users);
    expect(r.ok).toBe(true);
    expect(r.acked).toBe(3);
  });

  it('catches a lost acknowledged message', () => {
    const r = checkHistory(sent(), [view('alice', ['m1', 'm2', 'm3']), view('bob', ['m1', 'm3'])], members, users);
    expect(r.ok).toBe(false);
    expect(r.lost).toEqual(['bob lacks acknowledged m2 of A in c1']);
  });

  it('catches a duplicate', () => {
    const r = checkHistory(sent(), [view('alice', ['m1', 'm2', 'm3']), view('bob', ['m1', 'm2', 'm2', 'm3'])], members, users);
    expect(r.duplicated).toHaveLength(1);
    expect(r.ok).toBe(false);
  });

  it('catches a reorder of one author’s messages', () => {
    const r = checkHistory(sent(), [view('alice', ['m1', 'm2', 'm3']), view('bob', ['m1', 'm3', 'm2'])], members, users);
    expect(r.reordered).toHaveLength(1);
    expect(r.ok).toBe(false);
  });

  it('catches a state going backwards, and ignores equal or forward moves', () => {
    const h = sent();
    h.observe('bob', 'read c1 A', 'm1');
    h.observe('bob', 'read c1 A', 'm2');
    h.observe('bob', 'read c1 A', 'm2');
    h.observe('bob', 'count c1 A', 3);
    h.observe('bob', 'count c1 A', 2);
    const r = checkHistory(h, [view('alice', ['m1', 'm2', 'm3']), view('bob', ['m1', 'm2', 'm3'])], members, users);
    expect(r.regressions).toEqual(['bob saw count c1 A go back from 3 to 2']);
    expect(r.ok).toBe(false);
  });

  it('does not require a removed member’s view nor a removed author’s messages; crash marks unknown', () => {
    const h = sent();
    h.invoke('alice', 'send', 'c1 m4');
    expect(h.crash('alice')).toBe(1);
    expect(h.ops.at(-1)?.status).toBe('unknown');
    const onlyBob = new Map([['c1', new Set(['B'])]]);
    const r = checkHistory(h, [view('alice', ['m1']), view('bob', [])], onlyBob, users);
    expect(r.ok).toBe(true);
    expect(r.unknown).toBe(1);
    expect(h.log()).toContain('#3 alice send c1 m4 → unknown');
  });
});
