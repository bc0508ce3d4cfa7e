import { describe, expect, it } from 'vitest';
import { openEnvelope, openEnvelopeUncommitted } from './envelope-open.js';
import { sealChange } from './envelope-seal.js';
import { makeGroup } from './group-fixture.js';
import { feedDoc, nextChange, testCrypto } from './test-kit.js';

describe('check, then commit the counter after the engine accepted', () => {
  it('an envelope opened but not committed (engine refused it transiently) opens again; committed, it is a replay', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'carol']);
    const [alice, carol] = ['alice', 'carol'].map((n) => g.peer(n));
    const key = alice!.keyring.current(g.conv)!.key;
    const change = nextChange(alice!.user, feedDoc(g.conv, alice!.user.id), new Uint8Array([1, 2, 3]));
    const env = sealChange(crypto, change, 0, key, alice!.user.identity);
    const ctx = { keyring: carol!.keyring, authorize: carol!.authorize, counters: carol!.counters };

    const first = openEnvelopeUncommitted(crypto, env, ctx);
    if (!first.ok) throw first.error;
    // the engine answered rate_limited: no commit
    const retry = openEnvelopeUncommitted(crypto, env, ctx);
    expect(retry.ok).toBe(true);
    if (!retry.ok) return;
    expect(retry.value.change.counter).toBe(change.counter);
    expect(retry.value.commit().ok).toBe(true);
    expect(retry.value.commit().ok).toBe(true); // idempotent
    expect(first.value.commit().ok).toBe(false); // the same counter is taken now (replay)
    const after = openEnvelopeUncommitted(crypto, env, ctx);
    console.log(`uncommitted re-open=${retry.ok} after commit=${after.ok ? 'ok' : after.error.code}`);
    expect(after.ok ? 'ok' : after.error.code).toBe('replay');

    // another envelope at the same counter, committed in between: equivocation at commit
    const c2 = nextChange(alice!.user, feedDoc(g.conv, alice!.user.id), new Uint8Array([9]));
    const a = openEnvelopeUncommitted(crypto, sealChange(crypto, c2, 0, key, alice!.user.identity), ctx);
    const b = openEnvelopeUncommitted(crypto, sealChange(crypto, { ...c2, payload: new Uint8Array([8]) }, 0, key, alice!.user.identity), ctx);
    if (!a.ok || !b.ok) throw new Error('both open before either commits');
    expect(a.value.commit().ok).toBe(true);
    const eq = b.value.commit();
    expect(eq.ok ? 'ok' : eq.error.code).toBe('equivocation');

    // the old API still records at once
    const c3 = nextChange(alice!.user, feedDoc(g.conv, alice!.user.id), new Uint8Array([7]));
    const env3 = sealChange(crypto, c3, 0, key, alice!.user.identity);
    expect(openEnvelope(crypto, env3, ctx).ok).toBe(true);
    const again = openEnvelope(crypto, env3, ctx);
    expect(again.ok ? 'ok' : again.error.code).toBe('replay');
  });
});
