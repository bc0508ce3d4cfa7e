import { fail, ok, type Result } from '../errors.js';

/** Limits for untrusted JSON: total size in UTF-16 code units and nesting depth. */
export interface JsonLimits {
  readonly maxChars: number;
  readonly maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxChars: 1 << 20, maxDepth: 8 };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses untrusted JSON without throwing. Rejects texts over `maxChars`, nesting deeper than
 * `maxDepth` (checked by a scan before `JSON.parse`, so a 1 MB `[[[[…` never recurses), and any
 * object key `__proto__`, `constructor` or `prototype` — so no parsed value can later pollute a
 * prototype through a spread or `Object.assign`.
 */
export function parseJsonSafe(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): Result<unknown> {
  if (typeof text !== 'string') return fail('malformed', 'expected JSON text');
  if (text.length > limits.maxChars) return fail('too_large', `JSON over ${limits.maxChars} chars`);
  if (nestingExceeds(text, limits.maxDepth)) return fail('malformed', `JSON nested deeper than ${limits.maxDepth}`);
  let bad = false;
  let value: unknown;
  try {
    // A forbidden key is spelled out in the text or hidden in a \u escape; a text with neither
    // (every frame of base64 and ids) needs no reviver, which costs more than the parse itself.
    value = MAY_HOLD_FORBIDDEN_KEY.test(text)
      ? JSON.parse(text, function (this: unknown, key: string, v: unknown) {
          if (FORBIDDEN_KEYS.has(key)) bad = true;
          return v;
        })
      : JSON.parse(text);
  } catch {
    return fail('malformed', 'invalid JSON');
  }
  if (bad) return fail('malformed', 'forbidden JSON key');
  return ok(value);
}

const MAY_HOLD_FORBIDDEN_KEY = /__proto__|constructor|prototype|\\u/;

/** Whether `[`/`{` nest deeper than `max` outside strings; strings are skipped with indexOf. */
function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Jump to the closing quote: the next one not escaped by an odd run of backslashes.
      for (;;) {
        const j = text.indexOf('"', i + 1);
        if (j < 0) return false; // unterminated: JSON.parse refuses it
        let k = j - 1;
        while (text.charCodeAt(k) === 92) k--;
        i = j;
        if ((j - 1 - k) % 2 === 0) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** A plain JSON object (not an array or null), or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
