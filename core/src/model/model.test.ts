import { describe, expect, it } from 'vitest';
import type { ConversationId, UserId } from '../ids.js';
import type { Clock } from '../ports/clock.js';
import { isKithError } from '../errors.js';
import { uuidV7Time } from '../ids.js';
import { createManualClock } from '../testing/manual-clock.js';
import { createSeededRandom } from '../testing/seeded-random.js';
import { createHlc } from './hlc.js';
import { createAuthoredId, isAuthoredBy } from './authored-id.js';
import { expectMessageText, MAX_TEXT_BYTES } from './text.js';
import { parseStoredMessage } from './message.js';
import { parseAttachment } from './attachment.js';
import { expectEmoji, laterReaction, parseStoredReaction } from './reaction.js';
import { mergeWatermarks, parseWatermark, statusFor } from './receipt.js';
import { deriveCallStatus } from './call.js';
import { deriveContactStatus, parseStoredRequest } from './contact.js';
import { expectProfilePatch, readProfile } from './profile.js';
import { expectStatePatch, DEFAULT_STATE } from './conversation-state.js';
import { feedDocId, parseDocRef } from './doc-ids.js';

const U1 = '0e83ac55-971a-82bf-857e-ae4544ccf1a2' as UserId;
const C1 = 'd9ae1f40-2820-85f5-934f-525b8056f159' as ConversationId;
const M1 = '018bcfe5-6800-7000-a7d8-91c5f9f7de97';
const M2 = '018bcfe5-6807-7000-837e-d33400c9e87c';
const HEX = 'ab'.repeat(32);
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isKithError(e) ? e.code : 'not-a-kith-error';
  }
  return undefined;
};

describe('hybrid logical clock', () => {
  it('ids strictly increase within one millisecond and past every observed id', () => {
    const clock = createManualClock(1_700_000_000_000);
    const hlc = createHlc(clock, createSeededRandom('hlc'), U1);
    const ids = Array.from({ length: 5000 }, () => hlc.next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const future = createHlc(createManualClock(1_700_000_100_000), createSeededRandom('x'), U1).next();
    hlc.observe(future);
    const after = hlc.next();
    expect(after > future).toBe(true);
    expect(uuidV7Time(after)).toBe(1_700_000_100_000);
  });
  it('ignores ids more than a day in the future and non-v7 ids', () => {
    const clock = createManualClock(1_700_000_000_000);
    const hlc = createHlc(clock, createSeededRandom('hlc2'), U1);
    hlc.observe(createHlc(createManualClock(1_800_000_000_000), createSeededRandom('y'), U1).next());
    hlc.observe(U1);
    expect(uuidV7Time(hlc.next())).toBe(1_700_000_000_000);
  });
});

describe('ids bound to their author (ID-1)', () => {
  const U2 = '5b1d6a2e-3c4f-8a10-9b2c-7d8e9f0a1b2c' as UserId;
  it('an id binds to the author it was made for and to no other', () => {
    const random = createSeededRandom('authored');
    for (let i = 0; i < 200; i++) {
      const id = createAuthoredId(U1, 1_700_000_000_000 + i, i % 4096, random.bytes(8));
      expect(uuidV7Time(id)).toBe(1_700_000_000_000 + i);
      expect(isAuthoredBy(id, U1)).toBe(true);
      expect(isAuthoredBy(id, U2)).toBe(false);
      // Another author cannot keep the time and counter and re-tag: the tag covers them.
      const flipped = id.slice(0, 20) + (id[20] === '0' ? '1' : '0') + id.slice(21);
      expect(isAuthoredBy(flipped, U1)).toBe(false);
    }
  });
  it('ID-2: a wall clock corrected back by more than the skew bound restarts the HLC instead of dating every new id ahead', () => {
    let now = 1_700_000_600_000; // ten minutes ahead of the true time
    const clock: Clock = { now: () => now, setTimer: () => () => undefined };
    const hlc = createHlc(clock, createSeededRandom('hlc-back'), U1);
    const ahead = hlc.next();
    now = 1_700_000_000_000; // corrected
    const fresh = hlc.next();
    expect(uuidV7Time(fresh)).toBe(now);
    expect(fresh < ahead).toBe(true);
    expect(hlc.next() > fresh).toBe(true);
    // Within the bound the clock stays monotonic: a 4-minute correction keeps increasing ids.
    now += 10 * 60_000;
    const before = hlc.next();
    now -= 4 * 60_000;
    expect(hlc.next() > before).toBe(true);
  });

  it('HLC ids are bound to the clock\'s author; hand-made and v4 ids are not bound', () => {
    const hlc = createHlc(createManualClock(1_700_000_000_000), createSeededRandom('hlc3'), U1);
    const id = hlc.next();
    expect(isAuthoredBy(id, U1)).toBe(true);
    expect(isAuthoredBy(M1, U1)).toBe(false);
    expect(isAuthoredBy('0e83ac55-971a-42bf-857e-ae4544ccf1a2', U1)).toBe(false);
  });
});

describe('message text and stored messages', () => {
  it('refuses empty, whitespace-only and > 64 KiB UTF-8 text', () => {
    expect(code(() => expectMessageText(''))).toBe('message_empty');
    expect(code(() => expectMessageText('  \n'))).toBe('message_empty');
    expect(code(() => expectMessageText('a'.repeat(MAX_TEXT_BYTES)))).toBeUndefined();
    expect(code(() => expectMessageText('a'.repeat(MAX_TEXT_BYTES + 1)))).toBe('message_too_large');
    expect(code(() => expectMessageText('€'.repeat(MAX_TEXT_BYTES / 3 + 1)))).toBe('message_too_large');
    expect(code(() => expectMessageText(42))).toBe('invalid_argument');
  });
  it('parses valid entries and rejects hostile ones', () => {
    const ok = { text: 'hi', replyTo: null, forwarded: false, attachments: [], editedAt: null };
    expect(parseStoredMessage(M1, ok)?.text).toBe('hi');
    expect(parseStoredMessage('not-an-id', ok)).toBeNull();
    expect(parseStoredMessage(U1, ok)).toBeNull(); // message ids are UUIDv7
    expect(parseStoredMessage(M1, { ...ok, text: 7 })).toBeNull();
    expect(parseStoredMessage(M1, { ...ok, replyTo: 'x' })).toBeNull();
    expect(parseStoredMessage(M1, { ...ok, attachments: [{}] })).toBeNull();
    expect(parseStoredMessage(M1, { ...ok, text: 'a'.repeat(MAX_TEXT_BYTES + 1) })).toBeNull();
    expect(parseStoredMessage(M1, null)).toBeNull();
    expect(parseStoredMessage(M1, ['text'])).toBeNull();
  });
  it('attachment metadata: hash, key slot, dimensions', () => {
    const a = { id: M1, mime: 'image/png', size: 10, name: 'a.png', hash: { alg: 'sha256', hex: HEX }, keySlot: 0, blob: HEX, width: 3, height: 4 };
    expect(parseAttachment(a)).toMatchObject({ width: 3, height: 4 });
    expect(parseAttachment({ ...a, mime: 'png' })).toBeNull();
    expect(parseAttachment({ ...a, size: -1 })).toBeNull();
    expect(parseAttachment({ ...a, hash: { alg: 'md5', hex: HEX } })).toBeNull();
    expect(parseAttachment({ ...a, durationMs: 1.5 })).toBeNull();
  });
});

describe('reactions, receipts, calls, contacts', () => {
  it('one reaction per member: the later HLC wins; emoji validated', () => {
    const a = parseStoredReaction(M1, { emoji: '👍', at: M1 })!;
    const b = parseStoredReaction(M1, { emoji: null, at: M2 })!;
    expect(laterReaction(a, b)).toBe(b);
    expect(laterReaction(b, a)).toBe(b);
    expect(parseStoredReaction(M1, { emoji: 'a b', at: M1 })).toBeNull();
    expect(code(() => expectEmoji(''))).toBe('invalid_argument');
  });
  it('watermarks merge pointwise, read implies delivered, status derived', () => {
    const w = mergeWatermarks({ delivered: M1, read: null }, { delivered: null, read: M2 });
    expect(w).toEqual({ delivered: M2, read: M2 });
    expect(statusFor(M1, { delivered: M1, read: null })).toBe('delivered');
    expect(statusFor(M2, { delivered: M1, read: M1 })).toBe('sent');
    expect(statusFor(M1, w)).toBe('read');
    expect(parseWatermark(U1, { delivered: 'x', read: null })).toBeNull();
  });
  it('call status is derived from the caller record and participants', () => {
    const call = { kind: 'voice' as const, startedAt: 1, endedAt: null, endReason: null };
    const p = (state: 'ringing' | 'joined' | 'declined' | 'left', joinedAt: number | null) => ({ user: U1, state, joinedAt, at: 2 });
    expect(deriveCallStatus(call, 1, [])).toBe('initiated');
    expect(deriveCallStatus(call, 1, [p('ringing', null)])).toBe('ringing');
    expect(deriveCallStatus(call, 1, [p('joined', 2)])).toBe('ongoing');
    expect(deriveCallStatus(call, 1, [p('declined', null)])).toBe('declined');
    expect(deriveCallStatus({ ...call, endedAt: 5 }, 1, [p('left', 2)])).toBe('completed');
    expect(deriveCallStatus({ ...call, endedAt: 5 }, 2, [p('ringing', null)])).toBe('missed');
  });
  it('contact status is derived from both directions; a block wins and is private', () => {
    expect(deriveContactStatus('requested', null, false)).toBe('outgoing');
    expect(deriveContactStatus(null, 'requested', false)).toBe('incoming');
    expect(deriveContactStatus('accepted', 'requested', false)).toBe('accepted');
    expect(deriveContactStatus('requested', 'requested', false)).toBe('accepted');
    expect(deriveContactStatus('requested', 'declined', false)).toBe('declined');
    expect(deriveContactStatus('accepted', 'requested', true)).toBe('blocked');
    expect(parseStoredRequest({ state: 'blocked', at: 1 })).toBeNull();
  });
});

describe('profiles, conversation state, document ids', () => {
  it('profile patches are validated; invalid stored fields are ignored and counted', () => {
    expect(expectProfilePatch({ displayName: 'Ann', avatar: null })).toEqual([['displayName', 'Ann'], ['avatar', null]]);
    expect(code(() => expectProfilePatch({ username: 'Bad Name' }))).toBe('invalid_argument');
    expect(code(() => expectProfilePatch({ admin: true }))).toBe('invalid_argument');
    const { profile, invalid } = readProfile(U1, (k) => (k === 'about' ? 5 : k === 'username' ? 'ann' : undefined));
    expect(profile).toMatchObject({ username: 'ann', about: '' });
    expect(invalid).toBe(1);
  });
  it('conversation state patches merge and validate', () => {
    expect(expectStatePatch(DEFAULT_STATE, { pinned: true })).toMatchObject({ pinned: true, archived: false });
    expect(code(() => expectStatePatch(DEFAULT_STATE, { mutedUntil: 'soon' }))).toBe('invalid_argument');
    expect(code(() => expectStatePatch(DEFAULT_STATE, { colour: 'red' }))).toBe('invalid_argument');
  });
  it('DOC-1 document ids round-trip and hostile ids are refused', () => {
    expect(parseDocRef(feedDocId(C1, U1, 26))).toEqual({ kind: 'feed', conversation: C1, author: U1, chunk: 26 });
    expect(parseDocRef(`feed:${C1}:${U1}:01`)).toBeNull(); // non-canonical chunk number
    expect(parseDocRef(`feed:${C1}:${U1}:fffff`)).toBeNull(); // above MAX_CHUNK
    expect(parseDocRef(`contact:${U1}:${U1}`)).toBeNull();
    expect(parseDocRef(`profile:${U1}:x`)).toBeNull();
    expect(parseDocRef('__proto__:x')).toBeNull();
  });
});
