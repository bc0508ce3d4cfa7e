import { describe, expect, it } from 'vitest';
import { isKithError } from '../../errors.js';
import type { MemberOp, MemberOpBody } from './member-op.js';
import { decodeMemberOp, encodeMemberOp, memberOpHash } from './member-op-codec.js';
import { ALICE, BOB, CAROL, craft, createPrng, CREATED_AT, GROUP } from './membership-fixtures.js';

const PARENT = 'a'.repeat(64);
const bodies: MemberOpBody[] = [
  { type: 'add', user: BOB, role: 'member' },
  { type: 'remove', user: BOB, cutoff: { [`feed:${GROUP}:${BOB}:0|${CAROL}`]: 12, [`feed:${GROUP}:${BOB}:1|${CAROL}`]: 0 } },
  { type: 'leave' },
  { type: 'role', user: BOB, role: 'admin' },
  { type: 'info', name: 'Climbers 🧗', icon: null },
  { type: 'info', description: '' },
  { type: 'leave', cutoff: { [`feed:${GROUP}:${BOB}:0|${CAROL}`]: 3, [`members:${GROUP}|${CAROL}`]: 1 } },
];
const createOp: MemberOp = {
  v: 1,
  conversation: GROUP,
  author: ALICE,
  parents: [],
  lamport: 1,
  at: CREATED_AT,
  body: { type: 'create', name: 'Climbers', description: 'Sundays', icon: null, members: [{ user: BOB, role: 'admin' }, { user: CAROL, role: 'member' }] },
};
const ops: MemberOp[] = [createOp, ...bodies.map((body) => ({ ...createOp, parents: [PARENT], lamport: 2, body }))];

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function expectMalformed(input: Uint8Array | string, code = 'malformed'): void {
  const r = decodeMemberOp(typeof input === 'string' ? bytes(input) : input);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error.code).toBe(code);
}

describe('membership op codec', () => {
  it('round-trips every op type, canonically (sorted keys, no whitespace)', () => {
    for (const op of ops) {
      const encoded = encodeMemberOp(op);
      const decoded = decodeMemberOp(encoded);
      expect(decoded.ok).toBe(true);
      if (decoded.ok) expect(decoded.value).toEqual(op);
      expect(encodeMemberOp(op)).toEqual(encoded);
      expect(text(encoded).startsWith('{"at":')).toBe(true);
      expect(text(encoded)).not.toMatch(/\s(?=["{[])/);
    }
    expect(memberOpHash(encodeMemberOp(createOp))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects non-canonical encodings of a valid op (reordered keys, whitespace)', () => {
    const canonical = text(encodeMemberOp(ops[1]!));
    const parsed = JSON.parse(canonical) as Record<string, unknown>;
    const reordered = JSON.stringify({ v: parsed['v'], ...parsed });
    expect(reordered).not.toBe(canonical);
    expectMalformed(reordered);
    expectMalformed(JSON.stringify(parsed, null, 1));
    expectMalformed(` ${canonical}`);
  });

  it('rejects extra keys, __proto__ keys and missing fields', () => {
    const c = text(encodeMemberOp(ops[1]!));
    expectMalformed(c.replace('{"at":', '{"__proto__":{"admin":true},"at":'));
    expectMalformed(c.replace('{"at":', '{"aa":1,"at":'));
    expectMalformed(c.replace('"role":"member",', ''));
    expectMalformed(c.replace('"type":"add"', '"type":"add","constructor":1'));
    const obj = JSON.parse('{"__proto__":{"x":1}}') as object;
    expect(() => encodeMemberOp({ ...createOp, body: obj } as unknown as MemberOp)).toThrow(/invalid_argument/);
  });

  it('rejects wrong version, ids, roles, integers and op shapes', () => {
    const c = text(encodeMemberOp(ops[1]!));
    expectMalformed(c.replace('"v":1', '"v":2'), 'unsupported_version');
    expectMalformed(c.replace(`"user":"${BOB}"`, `"user":"${BOB.replace("4000", "40g0")}"`));
    expectMalformed(c.replace('"role":"member"', '"role":"owner"'));
    expectMalformed(c.replace('"lamport":2', '"lamport":0'));
    expectMalformed(c.replace('"lamport":2', '"lamport":2.5'));
    expectMalformed(c.replace('"lamport":2', '"lamport":9007199254740992'));
    expectMalformed(c.replace(`"at":${CREATED_AT}`, '"at":-1'));
    expectMalformed(c.replace(`"parents":["${PARENT}"]`, '"parents":[]'));
    expectMalformed(c.replace(`"parents":["${PARENT}"]`, `"parents":["${PARENT}","${'0'.repeat(64)}"]`));
    expectMalformed(c.replace(`"parents":["${PARENT}"]`, `"parents":["${PARENT}","${PARENT}"]`));
    expectMalformed(c.replace(`"parents":["${PARENT}"]`, `"parents":["${PARENT.toUpperCase()}"]`));
    expectMalformed(c.replace('"type":"add"', '"type":"grant"'));
    const cr = text(encodeMemberOp(createOp));
    expectMalformed(cr.replace('"parents":[]', `"parents":["${PARENT}"]`));
    expectMalformed(cr.replace('"lamport":1', '"lamport":2'));
    expectMalformed(cr.replace(`"user":"${BOB}"`, `"user":"${ALICE}"`));
    expectMalformed(cr.replace(`"user":"${CAROL}"`, `"user":"${BOB}"`));
    expectMalformed(text(encodeMemberOp(ops[6]!)).replace('"description":"",', ''));
    expectMalformed(text(encodeMemberOp(ops[2]!)).replace(`|${CAROL}"`, '"'));
  });

  it('enforces the size limits (name 100, description 2,000 code points; 64 KiB)', () => {
    const info = (name: string): MemberOp => ({ ...ops[1]!, body: { type: 'info', name } });
    expect(decodeMemberOp(encodeMemberOp(info('🧗'.repeat(100)))).ok).toBe(true);
    expect(() => encodeMemberOp(info('🧗'.repeat(101)))).toThrow(/invalid_argument/);
    expect(() => encodeMemberOp(info(''))).toThrow(/invalid_argument/);
    expect(() => encodeMemberOp(info('\ud800x'))).toThrow(/invalid_argument/);
    expect(() => encodeMemberOp({ ...ops[1]!, body: { type: 'info', description: 'd'.repeat(2001) } })).toThrow(/invalid_argument/);
    const many = Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(64, '0'));
    expect(decodeMemberOp(encodeMemberOp({ ...ops[1]!, parents: many })).ok).toBe(true);
    expect(() => encodeMemberOp({ ...ops[1]!, parents: [...many, 'f'.repeat(64)] })).toThrow(/invalid_argument/);
    const huge = bytes(`{"at":1,"pad":"${'x'.repeat(70_000)}"}`);
    expectMalformed(huge, 'too_large');
  });

  it('fuzz: random and mutated bytes give a typed error or a canonical op, never a throw', () => {
    const seed = Number(process.env['SEED'] ?? Date.now() % 1_000_000);
    const budget = Number(process.env['FUZZ_BUDGET_MS'] ?? 2000) / 3;
    const rng = createPrng(seed);
    const corpus = ops.map(encodeMemberOp);
    const started = performance.now();
    let inputs = 0;
    let accepted = 0;
    try {
      while (performance.now() - started < budget || inputs < 2000) {
        const base = rng.pick(corpus);
        let input: Uint8Array;
        const mode = rng.int(4);
        if (mode === 0) {
          input = new Uint8Array(rng.int(300)).map(() => rng.int(256));
        } else if (mode === 1) {
          input = base.slice(0, rng.int(base.length));
        } else {
          input = base.slice();
          const flips = 1 + rng.int(mode === 2 ? 2 : 8);
          for (let f = 0; f < flips; f++) {
            const at = rng.int(input.length);
            input[at] = mode === 2 ? input[at]! ^ (1 << rng.int(8)) : rng.pick([...bytes('{}[]",:0123456789-.e\\u')]);
          }
        }
        inputs++;
        const r = decodeMemberOp(input);
        // Plain checks in the hot loop (expect() costs more than the decode).
        if (r.ok) {
          accepted++;
          if (!sameBytes(encodeMemberOp(r.value), input)) throw new Error('accepted a non-canonical input');
        } else if (!isKithError(r.error)) {
          throw new Error('decode returned an untyped error');
        }
      }
    } catch (error) {
      console.log(`membership codec fuzz failed: SEED=${seed}`);
      throw error;
    }
    console.log(`membership codec fuzz: seed=${seed} inputs=${inputs} accepted=${accepted} rejected=${inputs - accepted} throws=0`);
    expect(inputs).toBeGreaterThanOrEqual(2000);
  });

  it('craft() fixture produces ops the decoder accepts', () => {
    const { bytes: b, hash } = craft({ author: ALICE, body: createOp.body });
    expect(decodeMemberOp(b).ok).toBe(true);
    expect(hash).toBe(memberOpHash(b));
  });
});
