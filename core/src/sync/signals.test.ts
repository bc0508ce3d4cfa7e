import { describe, expect, it } from 'vitest';
import { createIdentity, type Identity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import type { DeviceId } from '../ids.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createMemoryVault } from '../vault/index.js';
import { decodeBase64 as fromBase64, encodeBase64 as toBase64 } from '../protocol/base64.js';
import { loadKeyStore } from '../session/key-store.js';
import type { ClientFrame } from '../protocol/relay/frames.js';
import { createSignals, type SignalEvent } from './signals.js';

const device = '11111111-1111-4111-8111-111111111111' as DeviceId;

describe('signals are sealed to the recipient and signed by the sender (SYNC-7)', () => {
  it('the body opens for the recipient as {k, p, s} signed over the exact bytes; forged, relabelled, misdirected or unknown-sender signals are dropped', async () => {
    const crypto = await createSodiumCrypto();
    const [alice, bob, carol, mallory] = [1, 2, 3, 4].map((n) => createIdentity(crypto, { device, bundle: new SecretKey(new Uint8Array(64).fill(n)) })) as [Identity, Identity, Identity, Identity];
    const signalsOf = async (me: Identity, known: Identity[], sent: ClientFrame[]) => {
      const storage = createMemoryStorage();
      const keys = await loadKeyStore(crypto, storage, createMemoryVault(crypto));
      for (const k of known) await storage.commit(keys.addUser(k.userId, { signingKey: k.public.signingKey, boxKey: k.public.boxKey }));
      let id = 0;
      return createSignals({ crypto, identity: me, keys, send: (f) => (sent.push(f), true), nextId: () => ++id });
    };
    const sent: ClientFrame[] = [];
    const fromAlice = await signalsOf(alice, [bob, carol], sent);
    const atBob = await signalsOf(bob, [alice, mallory], []);
    const received: SignalEvent[] = [];
    atBob.listen((e) => received.push(e));

    const payload = new TextEncoder().encode('conversation-1');
    expect(fromAlice.send(bob.userId, 'typing', payload).ok).toBe(true);
    const frame = sent[0];
    if (frame?.t !== 'signal') throw new Error('expected a signal frame');
    expect(frame.to).toEqual({ user: bob.userId });

    // The wire format: a sealed box to bob's X25519 key holding {k, p, s}; s = Ed25519 over
    // "kith/v1/signal" ‖ 0 ‖ kind ‖ 0 ‖ recipient ‖ 0 ‖ payload.
    const inner = bob.openSealedBox(fromBase64(frame.body)!);
    expect(inner).not.toBeNull();
    const o = JSON.parse(new TextDecoder().decode(inner!)) as { k: string; p: string; s: string };
    expect(Object.keys(o).sort()).toEqual(['k', 'p', 's']);
    expect(o.k).toBe('typing');
    expect(fromBase64(o.p)).toEqual(payload);
    const signed = new Uint8Array([...new TextEncoder().encode(`kith/v1/signal\0typing\0${bob.userId}\0`), ...payload]);
    expect(crypto.verify(fromBase64(o.s)!, signed, alice.public.signingKey)).toBe(true);
    expect(carol.openSealedBox(fromBase64(frame.body)!)).toBeNull(); // only the recipient opens it

    const from = { user: alice.userId, device };
    atBob.onSignal(from, 'typing', frame.body);
    expect(received.map((e) => [e.from, e.kind, new TextDecoder().decode(e.payload)])).toEqual([[alice.userId, 'typing', 'conversation-1']]);

    // Each of these is dropped: nothing reaches the listener and the drop is counted.
    const flipped = fromBase64(frame.body)!;
    flipped[flipped.length - 1]! ^= 1;
    const forged = toBase64(crypto.sealBox(new TextEncoder().encode(JSON.stringify({ k: 'typing', p: o.p, s: toBase64(mallory.sign(signed)) })), bob.public.boxKey));
    expect(fromAlice.send(carol.userId, 'typing', payload).ok).toBe(true);
    const forCarol = (sent[1] as Extract<ClientFrame, { t: 'signal' }>).body;
    atBob.onSignal(from, 'typing', toBase64(flipped)); // tampered bytes
    atBob.onSignal(from, 'offer', frame.body); // the relay relabels the kind
    atBob.onSignal(from, 'typing', forged); // signed by someone else in alice's name
    atBob.onSignal({ user: mallory.userId, device }, 'typing', frame.body); // attributed to another sender
    atBob.onSignal({ user: carol.userId, device }, 'typing', frame.body); // a sender whose keys bob lacks
    atBob.onSignal(from, 'typing', forCarol); // sealed to someone else
    atBob.onSignal(from, 'typing', 'not base64!');
    expect(received).toHaveLength(1);
    expect(atBob.dropped).toBe(7);
  });
});
