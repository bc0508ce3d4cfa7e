import { PGlite } from '@electric-sql/pglite';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bump with the @electric-sql/pglite devDependency: a data directory fits one PGlite build. */
const PGLITE_VERSION = '0.5.16';
const CACHE = join(tmpdir(), `kith-pglite-${PGLITE_VERSION}-empty.tar`);

/**
 * A fresh PGlite. Its start-up is dominated by initdb (seconds on a busy 2-core machine), so
 * the empty cluster initdb produces is kept in the OS temp directory and loaded from there
 * next time. Only a pristine cluster is cached; a broken cache is ignored and replaced.
 */
export async function createPglite(): Promise<PGlite> {
  if (existsSync(CACHE)) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([readFileSync(CACHE)]) });
    } catch {
      // fall through: start from initdb and rewrite the cache
    }
  }
  const db = await PGlite.create();
  try {
    const dump = await db.dumpDataDir('none');
    const tmp = `${CACHE}.${process.pid}`;
    writeFileSync(tmp, new Uint8Array(await dump.arrayBuffer()));
    renameSync(tmp, CACHE);
  } catch {
    // caching is an optimisation only
  }
  return db;
}
