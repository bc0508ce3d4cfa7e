import { afterEach, describe, expect, it, vi } from 'vitest';
import { runRandomConformance } from '../testing/random-conformance.js';
import { createCryptoRandom, MAX_RANDOM_CHUNK } from './crypto-random.js';

runRandomConformance('crypto', createCryptoRandom);

describe('createCryptoRandom', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('asks getRandomValues for at most 65,536 bytes per call', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const random = createCryptoRandom();
    random.bytes(3 * MAX_RANDOM_CHUNK + 1);
    const sizes = spy.mock.calls.map(([view]) => (view as Uint8Array).byteLength);
    expect(sizes).toEqual([MAX_RANDOM_CHUNK, MAX_RANDOM_CHUNK, MAX_RANDOM_CHUNK, 1]);
    spy.mockClear();
    random.bytes(0);
    expect(spy).not.toHaveBeenCalled();
  });

  it('fails at creation on a platform without Web Crypto', () => {
    vi.stubGlobal('crypto', undefined);
    try {
      expect(() => createCryptoRandom()).toThrow(/getRandomValues/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
