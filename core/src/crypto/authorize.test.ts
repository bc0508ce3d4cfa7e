import { describe, expect, it } from 'vitest';
import type { DeviceId, DocId, UserId } from '../ids.js';
import { createMembershipAuthorizer, type ChangeClaim } from './authorize.js';

const U = '0190a000-0000-7000-8000-00000000000a' as UserId;
const V = '0190a000-0000-7000-8000-00000000000b' as UserId;
const device = '11111111-1111-4111-8111-111111111111' as DeviceId;

describe('per-user documents are written by their user only (AUTH-4)', () => {
  it('profile:<u>, account:<u>, contact:<u>:<v> and backup:<u> accept <u> and refuse anyone else with not_the_author', () => {
    const authorize = createMembershipAuthorizer(() => undefined);
    const claim = (doc: string, author: UserId): ChangeClaim => ({ doc: doc as DocId, kind: 'update', author, device, counter: 1, epoch: 0 });
    const code = (doc: string, author: UserId): string => {
      const r = authorize(claim(doc, author));
      return r.ok ? 'ok' : r.error.code;
    };
    for (const doc of [`profile:${U}`, `account:${U}`, `contact:${U}:${V}`, `backup:${U}`]) {
      expect(code(doc, U), doc).toBe('ok');
      expect(code(doc, V), doc).toBe('not_the_author');
    }
    // the other side of a contact writes its own contact document, never this one
    expect(code(`contact:${V}:${U}`, V)).toBe('ok');
    expect(code(`contact:${V}:${U}`, U)).toBe('not_the_author');
  });
});
