import postgres from 'postgres';
import { afterAll, beforeAll, describe } from 'vitest';
import { runRelayStoreConformance } from '../conformance.js';
import type { RelayStore } from '../ports.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../../testing/postgres-server.js';
import { createPostgresRelayStore } from './index.js';

const unavailable = postgresUnavailable();
if (unavailable !== undefined) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)('PostgreSQL store on a private server', () => {
  let server: TestPostgres;
  let fixtures = 0;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server.stop();
  });

  runRelayStoreConformance('postgresql', async () => {
    const schema = `conformance_${++fixtures}`;
    const opened: RelayStore[] = [await createPostgresRelayStore({ url: server.url, schema, maxConnections: 4 })];
    return {
      store: opened[0]!,
      async reopen() {
        await opened.at(-1)!.close();
        const s = await createPostgresRelayStore({ url: server.url, schema, maxConnections: 4 });
        opened.push(s);
        return s;
      },
      async cleanup() {
        for (const s of opened) await s.close();
        const admin = postgres(server.url, { max: 1, onnotice: () => undefined });
        await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  });
});
