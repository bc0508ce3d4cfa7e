import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../testing/seeded-random.js';
import { parseJsonSafe } from './safe-json.js';

const code = (text: string, maxDepth = 4): string => {
  const r = parseJsonSafe(text, { maxChars: 1 << 20, maxDepth });
  return r.ok ? 'ok' : r.error.code;
};

/** The straightforward version (a char-by-char scan, always a reviver), kept as the oracle. */
function reference(text: string, maxDepth: number): string {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return 'malformed';
    } else if (c === 125 || c === 93) depth--;
  }
  let bad = false;
  try {
    JSON.parse(text, (key: string, v: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') bad = true;
      return v;
    });
  } catch {
    return 'malformed';
  }
  return bad ? 'malformed' : 'ok';
}

describe('safe JSON (RLY-2, RLY-2b: every frame and body goes through it)', () => {
  it('refuses forbidden keys however they are spelled, and only as keys', () => {
    expect(code('{"__proto__":{"x":1}}')).toBe('malformed');
    expect(code('{"a":{"constructor":1}}')).toBe('malformed');
    expect(code('{"a":[{"prototype":1}]}')).toBe('malformed');
    expect(code('{"\\u005f_proto__":1}')).toBe('malformed');
    expect(code('{"constr\\u0075ctor":1}')).toBe('malformed');
    expect(code('{"a":"__proto__","b":["constructor"]}')).toBe('ok');
    expect(code('{"a":"\\u0041"}')).toBe('ok');
  });

  it('counts nesting outside strings only, escaped quotes and backslashes included', () => {
    expect(code('[[[[1]]]]')).toBe('ok');
    expect(code('[[[[[1]]]]]')).toBe('malformed');
    expect(code('["[[[[[[[[[["]')).toBe('ok');
    expect(code('["\\"[[[[[[[[", 1]')).toBe('ok');
    expect(code('["\\\\", [[[[1]]]]]')).toBe('malformed');
    expect(code('["\\\\\\"[[[[[["]')).toBe('ok');
    expect(code('["unterminated')).toBe('malformed');
    expect(code('{"a":1} trailing')).toBe('malformed');
    expect(code('x'.repeat(10), 4)).toBe('malformed');
    expect(parseJsonSafe('[1]', { maxChars: 2, maxDepth: 4 }).ok).toBe(false);
  });

  it('agrees with the straightforward scan on seeded random texts of brackets, quotes, escapes and keys', () => {
    const r = createSeededRandom('safe-json');
    const pieces = ['[', ']', '{', '}', '"', '\\', '\\"', '\\\\', '"a":', '"__proto__":', '"\\u005f_proto__":', 'constructor', '1', ',', ':', 'null', ' ', 'x'];
    let agreed = 0;
    for (let n = 0; n < 8_000; n++) {
      const parts: string[] = [];
      const len = 1 + r.int(14);
      for (let i = 0; i < len; i++) parts.push(pieces[r.int(pieces.length)]!);
      const text = parts.join('');
      expect(code(text, 3), text).toBe(reference(text, 3));
      agreed++;
    }
    // Valid documents too: the random texts are mostly invalid JSON.
    for (let n = 0; n < 2_000; n++) {
      const value = { a: [r.int(9), { b: 'q"\\'.repeat(r.int(3)) }], ['c'.repeat(1 + r.int(3))]: r.int(2) === 0 ? null : [[['x']]] };
      const text = JSON.stringify(value);
      expect(code(text, 3), text).toBe(reference(text, 3));
      agreed++;
    }
    console.log(`safe JSON: ${agreed} seeded texts, same verdict as the straightforward scan`);
  });
});
