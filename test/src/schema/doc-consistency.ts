import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '@kith/core';
import { describe, expect, it } from 'vitest';
import type { SchemaDb } from './schema-db.js';

const DATA_MODEL = fileURLToPath(new URL('../../../docs/data-model.md', import.meta.url));

/** Names data-model.md quotes from the seed (they must NOT exist in the improved schema). */
const SEED_ONLY = [
  'conversation_name', 'conversation_participants', 'file_url', 'group_icon_url', 'joind_at', 'message_reaction',
  'reactin_type', 'reaction_type', 'profile_picture', 'screen_share_logs', 'sharer_user_id', 'user_id_1',
];

/**
 * data-model.md and schema.sql must not drift: every snake_case name the document quotes in
 * backticks is a table, view, column, constraint, index, function, type, trigger or named
 * query of the loaded schema, a Kith error code, or one of the seed's names it reviews; every
 * table has a row in the mapping and every named query a row in the query table.
 */
export function describeDocConsistency(get: () => SchemaDb): void {
  describe('docs/data-model.md matches docs/schema.sql', () => {
    const doc = readFileSync(DATA_MODEL, 'utf8');

    it('every schema name the document quotes exists; seed-only names do not', async () => {
      const { db, queryNames } = get();
      const catalog = await db.query<{ name: string }>(`
        SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'
        UNION SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'
        UNION SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
        UNION SELECT indexname FROM pg_indexes WHERE schemaname = 'public'
        UNION SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
        UNION SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'
        UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal`);
      const known = new Set([...catalog.rows.map((r) => r.name), ...queryNames, ...ERROR_CODES, 'information_schema']);
      const quoted = [...new Set([...doc.matchAll(/`([a-z][a-z0-9]*_[a-z0-9_]*)`/g)].map((m) => m[1]!))];
      const unknown = quoted.filter((n) => !known.has(n) && !SEED_ONLY.includes(n));
      expect(unknown).toEqual([]);
      expect(SEED_ONLY.filter((n) => known.has(n))).toEqual([]);
      expect(quoted.length).toBeGreaterThan(50);
    });

    it('every table has a row in the mapping, every named query a row in the query table', async () => {
      const { db, queryNames } = get();
      const tables = await db.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
      const mapping = doc.slice(doc.indexOf('## The mapping'));
      const missingTables = tables.rows.map((r) => r.name).filter((t) => !mapping.includes(`| \`${t}\` |`));
      const missingQueries = queryNames.filter((q) => !doc.includes(`| \`${q}\` |`));
      expect({ missingTables, missingQueries }).toEqual({ missingTables: [], missingQueries: [] });
      expect(tables.rows.length).toBe(15);
    });
  });
}
