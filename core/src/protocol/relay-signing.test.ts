import { describe, expect, it } from 'vitest';
import { authSigningBytes, capabilitySigningBytes, registerSigningBytes } from './relay-signing.js';
import { encodeHex } from './hex.js';

const ascii = (s: string): string => encodeHex(new TextEncoder().encode(s));

describe('relay signing bytes: one exact layout per purpose (ACC-2, SES-2, CAP-2)', () => {
  it('lays out registration, auth and capability bytes byte for byte', () => {
    const k = new Uint8Array(32).fill(1);
    expect(encodeHex(registerSigningBytes('al', k, k.map(() => 2)))).toBe(`${ascii('kith/v1/relay-register\0al')}00${'01'.repeat(32)}${'02'.repeat(32)}`);
    expect(encodeHex(authSigningBytes(new Uint8Array(32).fill(7), 'u', 'd'))).toBe(`${ascii('kith/v1/relay-auth\0')}${'07'.repeat(32)}${ascii('u')}00${ascii('d')}`);
    const grant = { scope: 'conv:x', version: 2 ** 32 + 3, readHash: k, controllers: [k.map(() => 9)] };
    expect(encodeHex(capabilitySigningBytes(grant))).toBe(`${ascii('kith/v1/relay-cap\0conv:x')}00${'0000000100000003'}${'01'.repeat(32)}${'00'.repeat(32)}01${'09'.repeat(32)}`);
  });
});
