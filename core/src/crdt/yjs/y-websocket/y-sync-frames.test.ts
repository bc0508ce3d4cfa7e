import { describe, expect, it } from 'vitest';
import { decodeYFrame, encodeYFrame, type YFrame } from './y-sync-frames.js';

describe('the y-websocket frames the polyfill speaks (ADR 0025)', () => {
  it('round-trips every frame, with lengths past one varint byte', () => {
    const big = new Uint8Array(300).map((_, i) => i & 0xff);
    const frames: YFrame[] = [
      { t: 'sync', step: 'step1', bytes: new Uint8Array([0]) },
      { t: 'sync', step: 'step2', bytes: big },
      { t: 'sync', step: 'update', bytes: new Uint8Array(0) },
      { t: 'awareness', bytes: big },
      { t: 'queryAwareness' },
    ];
    for (const f of frames) expect(decodeYFrame(encodeYFrame(f))).toEqual(f);
    expect([...encodeYFrame({ t: 'sync', step: 'step2', bytes: big }).subarray(0, 4)]).toEqual([0, 1, 0xac, 0x02]);
  });

  it('refuses malformed frames with undefined, never a throw', () => {
    for (const bad of [[], [9], [0, 7, 0], [0, 1, 5, 1, 2], [1, 0x80], [0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]) {
      expect(decodeYFrame(new Uint8Array(bad))).toBeUndefined();
    }
  });
});
