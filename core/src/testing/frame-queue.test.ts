import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random.js';
import { FrameQueue } from './frame-queue.js';

describe('FrameQueue', () => {
  it('behaves like an array used as a deque, across compactions (seeded model check)', () => {
    const random = createSeededRandom('frame-queue');
    const queue = new FrameQueue<number>();
    const model: number[] = [];
    let next = 0;
    for (let i = 0; i < 20_000; i++) {
      const op = random.int(10);
      if (op < 5) {
        queue.push(next);
        model.push(next++);
      } else if (op < 8) {
        expect(queue.shift()).toBe(model.shift());
      } else if (op < 9) {
        queue.unshift(next);
        model.unshift(next++);
      } else if (model.length >= 2) {
        const j = 1 + random.int(model.length - 1);
        queue.swap(0, j);
        [model[0], model[j]] = [model[j]!, model[0]!];
      }
      if (i % 997 === 0) {
        expect(queue.length).toBe(model.length);
        expect(queue.at(model.length - 1)).toBe(model.at(-1));
      }
    }
    expect(queue.at(-1)).toBeUndefined();
    expect(queue.at(model.length)).toBeUndefined();
    expect(queue.drain()).toEqual(model);
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('keeps a long FIFO cheap', () => {
    const queue = new FrameQueue<number>();
    for (let i = 0; i < 100_000; i++) queue.push(i);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += queue.shift()!;
    expect(sum).toBe((99_999 * 100_000) / 2);
  });
});
