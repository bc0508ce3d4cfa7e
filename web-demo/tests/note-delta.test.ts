import { describe, expect, it } from 'vitest';
import { mapIndex, spliceDelta } from '../src/adapters/note-delta.js';

// Where a caret of the shared note goes through someone else's change (the markers and my own caret).
describe('mapping a caret through a text change', () => {
  it('an insert before it pushes it right; one exactly at it or after it leaves it', () => {
    const d = [{ retain: 3 }, { insert: 'ab' }];
    expect([0, 2, 3, 4, 9].map((i) => mapIndex(d, i))).toEqual([0, 2, 3, 6, 11]);
    expect(mapIndex([{ insert: 'xyz' }], 0)).toBe(0);
    expect(mapIndex([{ insert: 'xyz' }], 1)).toBe(4);
  });
  it('a delete before it pulls it left; inside the deleted range it lands at its start', () => {
    const d = [{ retain: 2 }, { delete: 3 }];
    expect([0, 2, 3, 5, 6, 10].map((i) => mapIndex(d, i))).toEqual([0, 2, 2, 2, 3, 7]);
  });
  it('several steps add up, and a splice is the delta of one local edit', () => {
    const d = [{ insert: 'TODAY ' }, { retain: 15 }, { insert: 'milk' }];
    expect(mapIndex(d, 15)).toBe(21); // the end of the old text: after "TODAY ", before "milk"
    expect(mapIndex(d, 3)).toBe(9);
    expect(spliceDelta(0, 0, 'x')).toEqual([{ insert: 'x' }]);
    expect(spliceDelta(4, 2, '')).toEqual([{ retain: 4 }, { delete: 2 }]);
    expect(mapIndex(spliceDelta(4, 2, 'abc'), 10)).toBe(11);
  });
});
