import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AppendRequest } from '../ports.js';
import { createSqliteDocLogStore } from './doc-log.js';
import { SQLITE_SCHEMA } from './schema.js';

const request = (counter: number): AppendRequest => ({
  doc: 'profile:0190a1b2-0000-7000-8000-000000000001',
  author: 'aa'.repeat(32),
  device: 'bb'.repeat(16),
  counter,
  to: counter,
  kind: 'update',
  hash: counter.toString(16).padStart(64, '0'),
  bytes: new Uint8Array([counter]),
});

describe('sqlite doc log: an append resolves, and its entry is served, only once durable (RLY-10, RLY-25)', () => {
  it('holds the outcome and hides the entry from reads until the barrier passed', async () => {
    const db = new Database(':memory:');
    db.exec(SQLITE_SCHEMA);
    const barriers: (() => void)[] = [];
    const docs = createSqliteDocLogStore(db, () => new Promise<void>((resolve) => barriers.push(resolve)));
    let outcome: unknown;
    const appended = docs.append([request(1), request(2)]).then((o) => (outcome = o));
    // Committed in SQLite but not yet durable: no outcome, nothing served.
    await Promise.resolve();
    expect(barriers).toHaveLength(1);
    expect(outcome).toBeUndefined();
    expect(await docs.read(request(1).doc, 0, 10)).toEqual([]);
    barriers[0]!();
    await appended;
    expect(outcome).toEqual([
      { status: 'stored', seq: 1 },
      { status: 'stored', seq: 2 },
    ]);
    expect((await docs.read(request(1).doc, 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
    // A retry of a stored envelope is a duplicate, answered after a barrier as well.
    const retry = docs.append([request(2)]);
    await Promise.resolve();
    expect(barriers).toHaveLength(2);
    barriers[1]!();
    expect(await retry).toEqual([{ status: 'duplicate', seq: 2 }]);
    db.close();
  });
});
