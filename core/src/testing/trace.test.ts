import { describe, expect, it } from 'vitest';
import { createTrace } from './trace.js';

describe('createTrace', () => {
  it('records lines in order and shows a tail', () => {
    const trace = createTrace();
    trace.record('a');
    trace.record('b');
    trace.record('c');
    expect(trace.lines()).toEqual(['a', 'b', 'c']);
    expect(trace.tail(2)).toBe('… 1 earlier line(s)\nb\nc');
    expect(trace.tail(10)).toBe('a\nb\nc');
    trace.clear();
    expect(trace.lines()).toEqual([]);
    expect(trace.tail(3)).toBe('');
  });

  it('keeps only the most recent `limit` lines and says how many it dropped', () => {
    const trace = createTrace(3);
    for (let i = 1; i <= 10; i++) {
      trace.record(`line ${i}`);
      expect(trace.lines().length).toBe(Math.min(i, 3));
    }
    expect(trace.lines()).toEqual(['line 8', 'line 9', 'line 10']);
    expect(trace.tail(1)).toBe('… 9 earlier line(s)\nline 10');
    expect(() => createTrace(0)).toThrow(RangeError);
  });

  it('returns copies', () => {
    const trace = createTrace();
    trace.record('x');
    (trace.lines() as string[]).push('y');
    expect(trace.lines()).toEqual(['x']);
  });
});
