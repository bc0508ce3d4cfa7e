/**
 * A FIFO queue with O(1) amortized push, shift and unshift, and indexed access (for the
 * simulated network's per-link queues, which can hold hundreds of thousands of frames).
 * Internal to the testing harness.
 */
export class FrameQueue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.head++;
    // Compact once the consumed prefix dominates, keeping memory proportional to length.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  unshift(item: T): void {
    if (this.head > 0) {
      this.head--;
      this.items[this.head] = item;
    } else {
      this.items.unshift(item);
    }
  }

  /** The item `index` places from the head. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.length ? this.items[this.head + index] : undefined;
  }

  /** Swap the items at two positions from the head (both must exist). */
  swap(i: number, j: number): void {
    const a = this.items[this.head + i]!;
    this.items[this.head + i] = this.items[this.head + j]!;
    this.items[this.head + j] = a;
  }

  /** Remove and return everything, head first. */
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}
