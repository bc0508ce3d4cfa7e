import { describe, expect, it } from 'vitest';
import { createTestRelay } from '../../testing/fixture.js';

describe('operations (OPS-1/2)', () => {
  it('answers /health while ready and 503 once draining; /metrics counts requests and rejects', async () => {
    const t = await createTestRelay();
    expect((await t.fetch('/health')).status).toBe(200);
    await t.fetch('/v1/accounts', { method: 'POST', body: '{"v":1,"__proto__":{"x":1}}' });
    await t.fetch('/nowhere');
    const text = await (await t.fetch('/metrics')).text();
    expect(text).toMatch(/kith_relay_http_requests_total [1-9]/);
    expect(text).toContain('kith_relay_rejects_total{reason="malformed"} 1');
    expect(text).toContain('kith_relay_rejects_total{reason="not_found"} 1');
    expect(text).toContain('kith_relay_bytes_stored{kind="envelopes"} 0');
    expect(text).toContain('kith_relay_bytes_stored{kind="compacted"} 0'); // SNAP-9
    expect(t.logs.some((l) => l.includes('"route":"/v1/accounts"'))).toBe(true);
    await t.relay.shutdown();
    expect((await t.fetch('/health')).status).toBe(503);
    console.log(`[ops] metrics lines ${text.split('\n').length}, log lines ${t.logs.length}`);
  });
});
