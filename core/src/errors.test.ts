import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, KithError, fail, isKithError } from './errors.js';

describe('error catalogue', () => {
  it('docs/ERRORS.md lists exactly the codes of ERROR_CODES', () => {
    const doc = readFileSync(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('KithError carries its code and cause, and fail() builds a typed result', () => {
    const cause = new Error('inner');
    const error = new KithError('malformed', 'bad frame', { cause });
    expect(error.code).toBe('malformed');
    expect(error.cause).toBe(cause);
    expect(isKithError(error, 'malformed')).toBe(true);
    expect(isKithError(error, 'replay')).toBe(false);
    const r = fail('too_large', 'limit');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('too_large');
  });
});
