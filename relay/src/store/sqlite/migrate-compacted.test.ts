import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AppendRequest } from '../ports.js';
import { createSqliteRelayStore } from './index.js';

const h = (s: string): string => s.padEnd(64, '0').slice(0, 64);
const req = (counter: number, body: string, to = counter): AppendRequest => ({
  doc: 'x',
  author: 'a1',
  device: 'd1',
  counter,
  to,
  kind: 'update',
  hash: h(body),
  bytes: new TextEncoder().encode(body),
});

describe('SNAP-9: a SQLite database from before compacted runs is upgraded at open', () => {
  it('folds its per-envelope compacted rows into runs that decide exactly as before, and drops them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kith-upgrade-'));
    try {
      // The layout before SNAP-7: one `compacted` row per dropped envelope.
      const old = new Database(join(dataDir, 'relay.db'));
      old.exec(`CREATE TABLE compacted (
        doc TEXT NOT NULL, author TEXT NOT NULL, device TEXT NOT NULL, counter INTEGER NOT NULL,
        hash TEXT NOT NULL, seq INTEGER NOT NULL, to_counter INTEGER, PRIMARY KEY (doc, author, device, counter)) WITHOUT ROWID`);
      const put = old.prepare('INSERT INTO compacted VALUES (?, ?, ?, ?, ?, ?, ?)');
      put.run('x', 'a1', 'd1', 1, h('one'), 1, null);
      put.run('x', 'a1', 'd1', 2, h('two'), 2, 4);
      put.run('x', 'a1', 'd1', 9, h('nine'), 3, null); // after a gap (5..8 never stored)
      old.close();

      const store = createSqliteRelayStore({ dataDir });
      try {
        expect(await store.docs.append([req(1, 'one'), req(2, 'two', 4), req(9, 'nine'), req(3, 'three'), req(6, 'six'), req(9, 'NINE')])).toEqual([
          { status: 'duplicate', seq: 2 },
          { status: 'duplicate', seq: 2 },
          { status: 'duplicate', seq: 3 },
          { status: 'equivocation' },
          { status: 'stored', seq: expect.any(Number) as number },
          { status: 'equivocation' },
        ]);
        expect(await store.docs.compactedBytes()).toBe(2 * (2048 + 4 + 32));
      } finally {
        await store.close();
      }
      const check = new Database(join(dataDir, 'relay.db'));
      const tables = check.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'compacted%'`).all();
      const runs = check.prepare('SELECT from_counter AS f, to_counter AS t, entries AS n FROM compacted_runs ORDER BY f').all();
      check.close();
      expect(tables).toEqual([{ name: 'compacted_runs' }]);
      expect(runs).toEqual([
        { f: 1, t: 4, n: 2 },
        { f: 9, t: 9, n: 1 },
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
