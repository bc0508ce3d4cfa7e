import { describe, expect, it } from 'vitest';
import { createMembershipExtent } from './membership-extent.js';

type Entry = { user: string; role: 'admin' | 'member'; addedBy: string };
const m = (user: string, role: 'admin' | 'member', addedBy: string): Entry => ({ user, role, addedBy });
const view = (members: Entry[], former: Entry[] = []) => ({ members, former }) as never;

describe('membership extent (the monotone group size the convergence oracle observes)', () => {
  it('MEM-6: a vetoed add (its adder removed concurrently) keeps the figure; seed automerge-861848552', () => {
    const e = createMembershipExtent();
    expect(e.observe('bob g', view([m('alice', 'admin', 'alice'), m('bob', 'admin', 'alice')]))).toBe(2);
    expect(e.observe('bob g', view([m('alice', 'admin', 'alice'), m('bob', 'admin', 'alice'), m('dave', 'member', 'bob')]))).toBe(3);
    // alice's removal of bob arrives: bob's add of dave is vetoed, dave is neither member nor former.
    expect(e.observe('bob g', view([m('alice', 'admin', 'alice')], [m('bob', 'admin', 'alice')]))).toBe(3);
    // bob made admin again later: the vetoed add stays counted, the figure does not dip.
    expect(e.observe('bob g', view([m('alice', 'admin', 'alice'), m('bob', 'admin', 'alice')]))).toBe(3);
  });

  it('a user who vanishes while their adder is still an admin makes the figure go back (a real regression)', () => {
    const e = createMembershipExtent();
    expect(e.observe('k', view([m('alice', 'admin', 'alice'), m('dave', 'member', 'alice')]))).toBe(2);
    expect(e.observe('k', view([m('alice', 'admin', 'alice')]))).toBe(1);
  });

  it('a removal moves a member to former: the figure holds', () => {
    const e = createMembershipExtent();
    expect(e.observe('k', view([m('alice', 'admin', 'alice'), m('dave', 'member', 'alice')]))).toBe(2);
    expect(e.observe('k', view([m('alice', 'admin', 'alice')], [m('dave', 'member', 'alice')]))).toBe(2);
  });
});
