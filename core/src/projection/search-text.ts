/**
 * The text side of message search (ADR 0028): folding, the words of a text, the tokens the
 * index stores for them, the terms of a query, and where the terms match in a text.
 *
 * - Folding: NFKD, combining marks removed, lower-cased (locale-independent), final sigma as
 *   sigma: "Élan", "ÉLAN" and "elan" are one word; fullwidth "ＡＢＣ" is "abc".
 * - A word is a run of letters and digits; each Han, Hiragana or Katakana character is a word
 *   of its own (those scripts do not separate words with spaces).
 * - A term matches a word it is a prefix of; a query matches a text when every term does.
 * - Bounded: a text contributes at most `MAX_TOKENS` distinct tokens, in text order, and only
 *   the words that contributed are searchable (a hostile 64 KiB message cannot bloat the index
 *   or make a query fold more than that).
 */

/** Non-ideographic terms and words shorter than this are not indexed (and ignored in queries). */
export const MIN_TERM = 2;
/**
 * The prefix lengths (in code points) a word is indexed under, ascending, the first `MIN_TERM`.
 * A term looks up its prefix of the longest of these lengths it reaches and is verified against
 * the row (ADR 0028 § Fewer prefixes): a word that a term prefixes is at least as long as the
 * term, so it has that token. Lengths that double keep the lookup at least half the term.
 */
export const PREFIX_LENGTHS: readonly number[] = [2, 4, 8];
/** The longest indexed prefix; longer terms look up their first `MAX_PREFIX` characters and are verified. */
export const MAX_PREFIX = PREFIX_LENGTHS[PREFIX_LENGTHS.length - 1] ?? MIN_TERM;
/** Distinct tokens indexed per message. */
export const MAX_TOKENS = 512;
/** Terms per query (the rest are ignored). */
export const MAX_TERMS = 8;

const WORD = /[\p{L}\p{N}]+/gu;
const IDEOGRAPH = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]/u;
const MARKS = /\p{M}/gu;

/** Case- and diacritic-folded text (the same length or longer than the input). */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase().replaceAll('ς', 'σ');
}

interface Word {
  readonly text: string;
  /** Offsets in the folded text. */
  readonly start: number;
}

/** The words of already-folded text, in order (ideographs split one per character). */
function* foldedWords(folded: string): Generator<Word> {
  for (const run of folded.matchAll(WORD)) {
    const text = run[0];
    const start = run.index;
    if (!IDEOGRAPH.test(text)) {
      yield { text, start };
      continue;
    }
    let pending = '';
    let pendingStart = start;
    let offset = start;
    for (const ch of text) {
      if (IDEOGRAPH.test(ch)) {
        if (pending !== '') yield { text: pending, start: pendingStart };
        pending = '';
        yield { text: ch, start: offset };
      } else {
        if (pending === '') pendingStart = offset;
        pending += ch;
      }
      offset += ch.length;
    }
    if (pending !== '') yield { text: pending, start: pendingStart };
  }
}

const isIdeograph = (word: string): boolean => IDEOGRAPH.test(word);
const indexable = (word: string): boolean => word.length >= MIN_TERM || isIdeograph(word);

/** The tokens a word is indexed under: its prefixes of the `lengths` it reaches (an ideograph: itself). */
function tokensOfWord(word: string, lengths: readonly number[]): string[] {
  if (isIdeograph(word)) return [word];
  const chars = [...word];
  const out: string[] = [];
  for (const n of lengths) if (n <= chars.length) out.push(chars.slice(0, n).join(''));
  return out;
}

/** The searchable words of a text with the distinct tokens they give, bounded by `MAX_TOKENS`. */
function indexedWords(folded: string, lengths: readonly number[] = PREFIX_LENGTHS): { words: Word[]; tokens: Set<string> } {
  const tokens = new Set<string>();
  const words: Word[] = [];
  for (const w of foldedWords(folded)) {
    if (!indexable(w.text)) continue;
    const fresh = tokensOfWord(w.text, lengths).filter((t) => !tokens.has(t));
    if (tokens.size + fresh.length > MAX_TOKENS) break;
    for (const t of fresh) tokens.add(t);
    words.push(w);
  }
  return { words, tokens };
}

/**
 * The distinct tokens the index stores for a message text. `lengths` is for the benchmark's
 * comparison with other prefix sets; the index always uses `PREFIX_LENGTHS`.
 */
export function indexTokens(text: string, lengths: readonly number[] = PREFIX_LENGTHS): string[] {
  return [...indexedWords(foldText(text), lengths).tokens];
}

/** The terms of a query: folded words, deduplicated, those that are a prefix of another dropped. */
export function parseSearchTerms(query: string): string[] {
  const words = [...new Set([...foldedWords(foldText(query))].map((w) => w.text).filter(indexable))];
  const terms = words.filter((w) => !words.some((o) => o !== w && o.startsWith(w)));
  return terms.slice(0, MAX_TERMS);
}

/** The index token a term is looked up under: its prefix of the longest indexed length it reaches (an ideograph: itself). */
export function lookupToken(term: string, lengths: readonly number[] = PREFIX_LENGTHS): string {
  if (isIdeograph(term)) return term;
  const chars = [...term];
  const n = lengths.reduce((best, l) => (l <= chars.length && l > best ? l : best), 0);
  return chars.slice(0, n).join('');
}

/** Whether every term is a prefix of a searchable word of `text`. */
export function matchesTerms(text: string, terms: readonly string[]): boolean {
  const { words } = indexedWords(foldText(text));
  return terms.every((t) => words.some((w) => w.text.startsWith(t)));
}

/**
 * Where the terms match in `text`: [start, end) offsets into the original string (UTF-16
 * units), sorted, for highlighting. Folds one code point at a time to map offsets back.
 */
export function matchRanges(text: string, terms: readonly string[]): Array<[number, number]> {
  if (terms.length === 0) return [];
  let folded = '';
  /** origin[i]: the offset in `text` of the code point folded[i] came from; origin[folded.length] = text.length. */
  const origin: number[] = [];
  let offset = 0;
  for (const ch of text) {
    const f = foldText(ch);
    for (let i = 0; i < f.length; i++) origin.push(offset);
    folded += f;
    offset += ch.length;
  }
  origin.push(text.length);
  const { words } = indexedWords(folded);
  const ranges: Array<[number, number]> = [];
  for (const w of words) {
    const term = terms.filter((t) => w.text.startsWith(t)).reduce((a, t) => (t.length > a.length ? t : a), '');
    if (term === '') continue;
    const start = origin[w.start] ?? text.length;
    // The end is the start of the code point after the match (so a decomposed é is whole).
    let end = text.length;
    for (let i = w.start + term.length; i < origin.length; i++) {
      const o = origin[i] ?? text.length;
      if (o > (origin[w.start + term.length - 1] ?? start)) {
        end = o;
        break;
      }
    }
    ranges.push([start, end]);
  }
  return ranges;
}
