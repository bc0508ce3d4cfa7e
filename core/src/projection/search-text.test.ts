import { describe, expect, it } from 'vitest';
import { packId } from './search-index.js';
import { foldText, indexTokens, lookupToken, matchesTerms, matchRanges, MAX_PREFIX, MAX_TOKENS, parseSearchTerms, PREFIX_LENGTHS } from './search-text.js';

describe('search text', () => {
  it('folds case, diacritics, compatibility forms and final sigma', () => {
    expect(foldText('Élan ÇA Straße')).toBe('elan ca straße');
    expect(foldText('ＡＢＣ')).toBe('abc');
    expect(foldText('ΟΔΟΣ')).toBe(foldText('οδος'));
  });

  it('indexes word prefixes of the PREFIX_LENGTHS (2, 4, 8) characters, ideographs one by one', () => {
    expect(PREFIX_LENGTHS).toEqual([2, 4, 8]);
    expect(indexTokens('Hi Zoë!')).toEqual(['hi', 'zo']);
    expect(indexTokens('a I x')).toEqual([]);
    const long = indexTokens('internationalisation');
    expect(long).toEqual(['in', 'inte', 'internationalisation'.slice(0, MAX_PREFIX)]);
    expect(indexTokens('東京tower')).toEqual(['東', '京', 'to', 'towe']);
  });

  it('looks a term up under its longest indexed prefix, which every word it prefixes has', () => {
    expect(['zo', 'zoe', 'zoel', 'tower', 'towering', 'internationalisation', '京'].map((t) => lookupToken(t))).toEqual(['zo', 'zo', 'zoel', 'towe', 'towering', 'internat', '京']);
    for (const [term, text] of [['zoe', 'Zoë'], ['towe', 'towering'], ['interna', 'internationalisation'], ['tow', 'tow']] as const) {
      expect(matchesTerms(text, [term])).toBe(true);
      expect(indexTokens(text)).toContain(lookupToken(term));
    }
  });

  it('never misses: a term that prefixes a word finds its lookup token among the word\'s tokens (seeded)', () => {
    let seed = 17;
    const next = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const letters = 'abcdeéoøß東ｚ';
    let checked = 0;
    for (let i = 0; i < 500; i++) {
      const word = Array.from({ length: 2 + next(12) }, () => letters[next(letters.length)]).join('');
      const text = `x ${word.toUpperCase()} y`;
      for (const term of parseSearchTerms(word.slice(0, 2 + next(word.length)))) {
        if (!matchesTerms(text, [term])) continue;
        expect(indexTokens(text)).toContain(lookupToken(term));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('bounds the tokens of a hostile text and makes only the indexed words searchable', () => {
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}x`);
    const text = words.join(' ');
    const tokens = indexTokens(text);
    expect(tokens.length).toBeLessThanOrEqual(MAX_TOKENS);
    expect(matchesTerms(text, [words[0]!])).toBe(true);
    expect(matchesTerms(text, [words.at(-1)!])).toBe(false);
  });

  it('parses terms: folded, deduplicated, prefixes of other terms dropped, short ones ignored', () => {
    expect(parseSearchTerms('  Caf café CAFÉS a ')).toEqual(['cafes']);
    expect(parseSearchTerms('x')).toEqual([]);
    expect(parseSearchTerms('東京')).toEqual(['東', '京']);
    expect(lookupToken('internationalisation')).toBe('internat');
  });

  it('matches when every term prefixes a word, and reports ranges in the original text', () => {
    expect(matchesTerms('Meet at the Café', ['cafe', 'me'])).toBe(true);
    expect(matchesTerms('Meet at the Café', ['cafe', 'tea'])).toBe(false);
    expect(matchesTerms('a decafe', ['cafe'])).toBe(false);
    const text = 'Cafe\u0301 and CAFÉS';
    const ranges = matchRanges(text, ['cafe']);
    expect(ranges.map(([s, e]) => text.slice(s, e))).toEqual(['Cafe\u0301', 'CAFÉ']);
    expect(matchRanges('😀 hello 😀 help', ['hel']).map(([s, e]) => '😀 hello 😀 help'.slice(s, e))).toEqual(['hel', 'hel']);
  });
});

describe('packed ids', () => {
  it('sort as the ids do and are 9 units', () => {
    const ids = ['00000000-0000-0000-0000-000000000000', '0190aaaa-0000-7000-8000-000000000001', '0190aaaa-0000-7000-8000-000000000002', '0190aaab-0000-7000-8000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
    const packed = ids.map(packId);
    expect(packed.every((p) => p.length === 9 && [...p].every((c) => c.charCodeAt(0) >= 0x1000 && c.charCodeAt(0) < 0xd800))).toBe(true);
    expect([...packed].sort()).toEqual(packed);
    expect(new Set(packed).size).toBe(ids.length);
  });
});
