import { describe, expect, it } from 'vitest';
import { loadSchemaFile } from './load-schema.js';
import type { SchemaDb } from './schema-db.js';

/**
 * Keyset pagination is only worth its name if the engine can seek to the cursor. With
 * sequential scans disabled (the sample tables are tiny, so the planner would rightly scan
 * them), the plans must seek into index messages_page with the (created_at, id) row bound.
 */
export function describeQueryPlans(get: () => SchemaDb): void {
  describe('query plans: keyset reads seek the messages_page index', () => {
    const queries = loadSchemaFile().queries;
    const plan = async (name: string, params: unknown[]): Promise<string> => {
      const { db } = get();
      let text = '';
      await get().scratch(async () => {
        await db.exec('SET LOCAL enable_seqscan = off');
        const r = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${queries.get(name)!}`, params);
        text = r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      return text;
    };

    it('conversation_page seeks backwards from the cursor', async () => {
      const { sample } = get();
      const text = await plan('conversation_page', [sample.direct, sample.user.alice, new Date(), sample.msg['d5'], 3]);
      expect(text).toMatch(/Index Scan Backward using messages_page on messages/);
      expect(text).toMatch(/Index Cond: \(\(conversation_id = .*ROW\(created_at, id\) < ROW\(/);
    });

    it('chat_list counts unread messages by a range on (created_at, id)', async () => {
      const { sample } = get();
      const text = await plan('chat_list', [sample.user.bob]);
      expect(text).toMatch(/Index Cond: \(\(conversation_id = c\.id\) AND \(ROW\(created_at, id\) > ROW\(/);
    });
  });
}
