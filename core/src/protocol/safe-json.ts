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
      if (++depth > limits.maxDepth) return fail('malformed', `JSON nested deeper than ${limits.maxDepth}`);
    } else if (c === 125 || c === 93) depth--;
  }
  let bad = false;
  let value: unknown;
  try {
    value = JSON.parse(text, function (this: unknown, key: string, v: unknown) {
      if (FORBIDDEN_KEYS.has(key)) bad = true;
      return v;
    });
  } catch {
    return fail('malformed', 'invalid JSON');
  }
  if (bad) return fail('malformed', 'forbidden JSON key');
  return ok(value);
}

/** A plain JSON object (not an array or null), or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
