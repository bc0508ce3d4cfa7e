import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWalSync } from './wal-sync.js';

describe('WAL sync: fsync off the event loop, shared by every commit before it (RLY-10)', () => {
  it('a burst of callers costs two fdatasyncs: the running one, then one shared by all who came during it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kith-walsync-'));
    const file = join(dir, 'relay.db-wal');
    writeFileSync(file, 'frames');
    const wal = createWalSync(file);
    expect(wal.syncs).toBe(1); // the one at open
    const first = wal.sync();
    const during = Array.from({ length: 50 }, () => wal.sync());
    // Everyone who arrived while `first` ran shares one promise: the sync that starts after it.
    expect(new Set(during).size).toBe(1);
    expect(during[0]).not.toBe(first);
    await Promise.all([first, ...during]);
    expect(wal.syncs).toBe(3);
    // Quiet again: a new caller starts its own at once.
    await wal.sync();
    expect(wal.syncs).toBe(4);
    wal.close();
    await expect(wal.sync()).rejects.toThrow('closed');
    rmSync(dir, { recursive: true, force: true });
  });
});
